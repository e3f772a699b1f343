/* Jaro-Winkler (Winkler 1990, prefix scale 0.1 up to 4 characters),
 * American Soundex, and the nickname table used to match BILL to WILLIAM.
 * The table is small and hand-made from common US usage. */
#include "similarity.h"

#include "strmap.h"

#include <ctype.h>
#include <pthread.h>
#include <string.h>

double pc_jaro_winkler(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  if (la == 0 && lb == 0) return 1.0;
  if (la == 0 || lb == 0) return 0.0;
  if (la > 64) la = 64;
  if (lb > 64) lb = 64;
  size_t window = (la > lb ? la : lb) / 2;
  window = window > 0 ? window - 1 : 0;
  unsigned char matched_a[64] = {0}, matched_b[64] = {0};
  size_t matches = 0;
  for (size_t i = 0; i < la; i++) {
    size_t lo = i > window ? i - window : 0, hi = i + window + 1 < lb ? i + window + 1 : lb;
    for (size_t j = lo; j < hi; j++) {
      if (matched_b[j] || a[i] != b[j]) continue;
      matched_a[i] = matched_b[j] = 1;
      matches++;
      break;
    }
  }
  if (matches == 0) return 0.0;
  size_t transpositions = 0, k = 0;
  for (size_t i = 0; i < la; i++) {
    if (!matched_a[i]) continue;
    while (!matched_b[k]) k++;
    if (a[i] != b[k]) transpositions++;
    k++;
  }
  double m = (double)matches;
  double jaro = (m / (double)la + m / (double)lb + (m - (double)transpositions / 2.0) / m) / 3.0;
  size_t prefix = 0;
  while (prefix < 4 && prefix < la && prefix < lb && a[prefix] == b[prefix]) prefix++;
  return jaro + (double)prefix * 0.1 * (1.0 - jaro);
}

void pc_soundex(const char *name, char out[5]) {
  static const char codes[] = "01230120022455012623010202"; /* A..Z */
  size_t n = 0;
  char last = 0;
  for (const char *p = name; *p && n < 4; p++) {
    int c = toupper((unsigned char)*p);
    if (c < 'A' || c > 'Z') continue;
    char code = codes[c - 'A'];
    if (n == 0) {
      out[n++] = (char)c;
      last = code;
      continue;
    }
    if (code != '0' && code != last) out[n++] = code;
    if (c != 'H' && c != 'W') last = code;
  }
  if (n == 0) {
    out[0] = '\0';
    return;
  }
  while (n < 4) out[n++] = '0';
  out[4] = '\0';
}

/* Formal name followed by its nicknames, NULL-terminated rows. */
static const char *const nickname_rows[][8] = {
    {"WILLIAM", "BILL", "BILLY", "WILL", "WILLIE", "LIAM", NULL},
    {"ROBERT", "BOB", "BOBBY", "ROB", "ROBBIE", "BERT", NULL},
    {"RICHARD", "DICK", "RICK", "RICKY", "RICH", NULL},
    {"JAMES", "JIM", "JIMMY", "JAMIE", NULL},
    {"JOHN", "JACK", "JOHNNY", NULL},
    {"JOSEPH", "JOE", "JOEY", NULL},
    {"THOMAS", "TOM", "TOMMY", NULL},
    {"CHARLES", "CHARLIE", "CHUCK", "CHAS", NULL},
    {"MICHAEL", "MIKE", "MICKEY", NULL},
    {"DAVID", "DAVE", "DAVY", NULL},
    {"DANIEL", "DAN", "DANNY", NULL},
    {"MATTHEW", "MATT", NULL},
    {"ANTHONY", "TONY", NULL},
    {"CHRISTOPHER", "CHRIS", "KIT", NULL},
    {"EDWARD", "ED", "EDDIE", "TED", "NED", NULL},
    {"STEVEN", "STEVE", NULL},
    {"STEPHEN", "STEVE", NULL},
    {"KENNETH", "KEN", "KENNY", NULL},
    {"RONALD", "RON", "RONNIE", NULL},
    {"DONALD", "DON", "DONNIE", NULL},
    {"GEORGE", "GEORGIE", NULL},
    {"ANDREW", "ANDY", "DREW", NULL},
    {"JOSHUA", "JOSH", NULL},
    {"TIMOTHY", "TIM", "TIMMY", NULL},
    {"GREGORY", "GREG", NULL},
    {"SAMUEL", "SAM", "SAMMY", NULL},
    {"BENJAMIN", "BEN", "BENNY", NULL},
    {"NICHOLAS", "NICK", "NICKY", NULL},
    {"ALEXANDER", "ALEX", "AL", "SANDY", NULL},
    {"PATRICK", "PAT", NULL},
    {"PETER", "PETE", NULL},
    {"RAYMOND", "RAY", NULL},
    {"GERALD", "JERRY", NULL},
    {"LAWRENCE", "LARRY", NULL},
    {"JEFFREY", "JEFF", NULL},
    {"FREDERICK", "FRED", "FREDDIE", NULL},
    {"HENRY", "HANK", "HARRY", NULL},
    {"ALBERT", "AL", "BERT", NULL},
    {"DOUGLAS", "DOUG", NULL},
    {"PHILIP", "PHIL", NULL},
    {"LEONARD", "LEN", "LENNY", "LEO", NULL},
    {"EUGENE", "GENE", NULL},
    {"FRANCIS", "FRANK", NULL},
    {"FRANKLIN", "FRANK", NULL},
    {"WALTER", "WALT", NULL},
    {"NATHANIEL", "NATE", "NAT", NULL},
    {"ZACHARY", "ZACH", NULL},
    {"VINCENT", "VINCE", NULL},
    {"JONATHAN", "JON", NULL},
    {"ELIZABETH", "LIZ", "BETH", "BETTY", "LIZZIE", "ELIZA", "BETSY"},
    {"MARGARET", "MAGGIE", "PEGGY", "MEG", "MARGE", NULL},
    {"KATHERINE", "KATE", "KATHY", "KATIE", "KAY", NULL},
    {"CATHERINE", "CATHY", "CATE", "KATE", NULL},
    {"JENNIFER", "JENNY", "JEN", NULL},
    {"PATRICIA", "PAT", "PATTY", "TRISH", NULL},
    {"DEBORAH", "DEBBIE", "DEB", NULL},
    {"SUSAN", "SUE", "SUSIE", NULL},
    {"REBECCA", "BECKY", "BECCA", NULL},
    {"VICTORIA", "VICKY", "TORI", NULL},
    {"CHRISTINE", "CHRIS", "CHRISSY", "TINA", NULL},
    {"CHRISTINA", "CHRIS", "TINA", NULL},
    {"SAMANTHA", "SAM", NULL},
    {"ALEXANDRA", "ALEX", "SANDY", NULL},
    {"JACQUELINE", "JACKIE", NULL},
    {"BARBARA", "BARB", "BARBIE", NULL},
    {"DOROTHY", "DOT", "DOTTIE", NULL},
    {"KIMBERLY", "KIM", NULL},
    {"PAMELA", "PAM", NULL},
    {"CYNTHIA", "CINDY", NULL},
    {"SANDRA", "SANDY", NULL},
    {"JUDITH", "JUDY", NULL},
    {"THERESA", "TERRI", "TESS", NULL},
    {"ABIGAIL", "ABBY", NULL},
    {"ANGELA", "ANGIE", NULL},
    {"MELISSA", "MISSY", "MEL", NULL},
    {"AMANDA", "MANDY", NULL},
    {"STEPHANIE", "STEPH", NULL},
    {"VIRGINIA", "GINNY", NULL},
    {"MARY", "MOLLY", "POLLY", NULL},
    {"ANNE", "ANNIE", "NAN", NULL},
    {"ANN", "ANNIE", "NAN", NULL},
    {"EVELYN", "EVIE", NULL},
    {"FRANCES", "FRAN", "FRANNIE", NULL},
    {"HELEN", "NELL", NULL},
    {"CAROLYN", "CAROL", NULL},
    {"JOANNE", "JO", NULL},
    {"SUZANNE", "SUE", "SUZY", NULL},
    {"LEONA", "LEE", NULL},
    {"ALFRED", "AL", "ALFIE", NULL},
    {"CLIFFORD", "CLIFF", NULL},
    {"HAROLD", "HAL", "HARRY", NULL},
    {"HERBERT", "HERB", NULL},
    {"MARVIN", "MARV", NULL},
    {"THEODORE", "TED", "TEDDY", "THEO", NULL},
    {"GWENDOLYN", "GWEN", NULL},
    {"CORNELIUS", "NEIL", NULL},
    {"MORTIMER", "MORT", NULL},
    {"MILDRED", "MILLIE", NULL},
    {"LOUISE", "LOU", NULL},
    {"LOUIS", "LOU", NULL},
};

static pc_strmap_t nickname_to_row; /* nickname or formal name -> row index */
static pthread_once_t nickname_once = PTHREAD_ONCE_INIT;

static void build_nicknames(void) {
  pc_strmap_init(&nickname_to_row);
  size_t rows = sizeof nickname_rows / sizeof nickname_rows[0];
  for (size_t r = 0; r < rows; r++) {
    int64_t ignored;
    for (size_t j = 0; j < 8 && nickname_rows[r][j]; j++)
      if (!pc_strmap_get(&nickname_to_row, nickname_rows[r][j], &ignored))
        pc_strmap_put(&nickname_to_row, nickname_rows[r][j], (int64_t)r);
  }
}

void pc_similarity_init(void) {
  pthread_once(&nickname_once, build_nicknames);
}

const char *pc_nickname_canonical(const char *name) {
  int64_t row;
  if (pc_strmap_get(&nickname_to_row, name, &row)) return nickname_rows[row][0];
  return name;
}

static int in_row(size_t row, const char *name) {
  for (size_t j = 0; j < 8 && nickname_rows[row][j]; j++)
    if (strcmp(nickname_rows[row][j], name) == 0) return 1;
  return 0;
}

int pc_nickname_match(const char *a, const char *b) {
  if (strcmp(a, b) == 0) return 1;
  int64_t row;
  /* A nickname shared by several formal names (AL, PAT) matches each of them. */
  if (pc_strmap_get(&nickname_to_row, a, &row) && in_row((size_t)row, b)) return 1;
  if (pc_strmap_get(&nickname_to_row, b, &row) && in_row((size_t)row, a)) return 1;
  return strcmp(pc_nickname_canonical(a), pc_nickname_canonical(b)) == 0;
}

const char *pc_nickname_of(const char *formal, unsigned index) {
  size_t rows = sizeof nickname_rows / sizeof nickname_rows[0];
  for (size_t r = 0; r < rows; r++) {
    if (strcmp(nickname_rows[r][0], formal) != 0) continue;
    size_t count = 0;
    while (count + 1 < 8 && nickname_rows[r][count + 1]) count++;
    return count ? nickname_rows[r][1 + index % count] : NULL;
  }
  return NULL;
}
