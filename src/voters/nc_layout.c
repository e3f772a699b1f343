/* The NC statewide voter file layout as a table, and writing records in it.
 * Parsing lives in import_nc.c (streaming, libcsv). Fields are written
 * unquoted, tab-separated; the format has no escaping, so tabs and line
 * breaks are refused on input and never stored. */
#include "nc_layout.h"

#include "voters_internal.h"

#include <assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

const pc_nc_column_t pc_nc_layout[PC_NC_COLUMNS] = {
    {"county_id", PC_NC_COUNTY_ID, NULL},
    {"county_desc", PC_NC_COUNTY_DESC, NULL},
    {"voter_reg_num", PC_NC_TEXT, "voter_reg_num"},
    {"ncid", PC_NC_TEXT, "ncid"},
    {"last_name", PC_NC_TEXT, "last_name"},
    {"first_name", PC_NC_TEXT, "first_name"},
    {"middle_name", PC_NC_TEXT, "middle_name"},
    {"name_suffix_lbl", PC_NC_TEXT, "name_suffix"},
    {"status_cd", PC_NC_TEXT, "status"},
    {"voter_status_desc", PC_NC_STATUS_DESC, NULL},
    {"reason_cd", PC_NC_TEXT, "status_reason"},
    {"voter_status_reason_desc", PC_NC_TEXT, "status_reason_desc"},
    {"res_street_address", PC_NC_TEXT, "res_street_address"},
    {"res_city_desc", PC_NC_TEXT, "res_city"},
    {"state_cd", PC_NC_TEXT, "res_state"},
    {"zip_code", PC_NC_TEXT, "res_zip"},
    {"mail_addr1", PC_NC_TEXT, "mail_addr1"},
    {"mail_addr2", PC_NC_TEXT, "mail_addr2"},
    {"mail_addr3", PC_NC_TEXT, "mail_addr3"},
    {"mail_addr4", PC_NC_TEXT, "mail_addr4"},
    {"mail_city", PC_NC_TEXT, "mail_city"},
    {"mail_state", PC_NC_TEXT, "mail_state"},
    {"mail_zipcode", PC_NC_TEXT, "mail_zip"},
    {"full_phone_number", PC_NC_TEXT, "phone"},
    {"confidential_ind", PC_NC_TEXT, "confidential"},
    {"registr_dt", PC_NC_DATE, NULL},
    {"race_code", PC_NC_TEXT, "race"},
    {"ethnic_code", PC_NC_TEXT, "ethnicity"},
    {"party_cd", PC_NC_TEXT, "party"},
    {"gender_code", PC_NC_TEXT, "gender"},
    {"birth_year", PC_NC_BIRTH_YEAR, NULL},
    {"age_at_year_end", PC_NC_AGE, NULL},
    {"birth_state", PC_NC_TEXT, "birth_state"},
    {"drivers_lic", PC_NC_TEXT, "drivers_lic"},
    {"precinct_abbrv", PC_NC_TEXT, "precinct_code"},
    {"precinct_desc", PC_NC_PRECINCT_DESC, NULL},
    {"municipality_abbrv", PC_NC_TEXT, "municipality_abbrv"},
    {"municipality_desc", PC_NC_TEXT, "municipality_desc"},
    {"ward_abbrv", PC_NC_TEXT, "ward_abbrv"},
    {"ward_desc", PC_NC_TEXT, "ward_desc"},
    {"cong_dist_abbrv", PC_NC_TEXT, "cong_dist_abbrv"},
    {"super_court_abbrv", PC_NC_TEXT, "super_court_abbrv"},
    {"judic_dist_abbrv", PC_NC_TEXT, "judic_dist_abbrv"},
    {"nc_senate_abbrv", PC_NC_TEXT, "nc_senate_abbrv"},
    {"nc_house_abbrv", PC_NC_TEXT, "nc_house_abbrv"},
    {"county_commiss_abbrv", PC_NC_TEXT, "county_commiss_abbrv"},
    {"county_commiss_desc", PC_NC_TEXT, "county_commiss_desc"},
    {"township_abbrv", PC_NC_TEXT, "township_abbrv"},
    {"township_desc", PC_NC_TEXT, "township_desc"},
    {"school_dist_abbrv", PC_NC_TEXT, "school_dist_abbrv"},
    {"school_dist_desc", PC_NC_TEXT, "school_dist_desc"},
    {"fire_dist_abbrv", PC_NC_TEXT, "fire_dist_abbrv"},
    {"fire_dist_desc", PC_NC_TEXT, "fire_dist_desc"},
    {"water_dist_abbrv", PC_NC_TEXT, "water_dist_abbrv"},
    {"water_dist_desc", PC_NC_TEXT, "water_dist_desc"},
    {"sewer_dist_abbrv", PC_NC_TEXT, "sewer_dist_abbrv"},
    {"sewer_dist_desc", PC_NC_TEXT, "sewer_dist_desc"},
    {"sanit_dist_abbrv", PC_NC_TEXT, "sanit_dist_abbrv"},
    {"sanit_dist_desc", PC_NC_TEXT, "sanit_dist_desc"},
    {"rescue_dist_abbrv", PC_NC_TEXT, "rescue_dist_abbrv"},
    {"rescue_dist_desc", PC_NC_TEXT, "rescue_dist_desc"},
    {"munic_dist_abbrv", PC_NC_TEXT, "munic_dist_abbrv"},
    {"munic_dist_desc", PC_NC_TEXT, "munic_dist_desc"},
    {"dist_1_abbrv", PC_NC_TEXT, "dist_1_abbrv"},
    {"dist_1_desc", PC_NC_TEXT, "dist_1_desc"},
    {"vtd_abbrv", PC_NC_TEXT, "vtd_abbrv"},
    {"vtd_desc", PC_NC_TEXT, "vtd_desc"}};

/* Columns only the previous layout (until 2022) or our extension has. */
static const pc_nc_column_t other_columns[] = {
    {"absent_ind", PC_NC_IGNORED, NULL},   {"name_prefx_cd", PC_NC_IGNORED, NULL},
    {"birth_age", PC_NC_AGE, NULL},        {"dist_2_abbrv", PC_NC_IGNORED, NULL},
    {"dist_2_desc", PC_NC_IGNORED, NULL},  {PC_NC_EXT_BIRTH_DATE, PC_NC_BIRTH_DATE, NULL}};

const pc_nc_column_t *pc_nc_column_find(const char *name) {
  for (int i = 0; i < PC_NC_COLUMNS; i++)
    if (strcmp(pc_nc_layout[i].name, name) == 0) return &pc_nc_layout[i];
  for (size_t i = 0; i < sizeof other_columns / sizeof other_columns[0]; i++)
    if (strcmp(other_columns[i].name, name) == 0) return &other_columns[i];
  return NULL;
}

void pc_nc_write_header(pc_buf_t *out, int with_birth_date) {
  for (int i = 0; i < PC_NC_COLUMNS; i++) {
    if (i) pc_buf_append_char(out, '\t');
    pc_buf_append_str(out, pc_nc_layout[i].name);
  }
  if (with_birth_date) pc_buf_appendf(out, "\t%s", PC_NC_EXT_BIRTH_DATE);
  pc_buf_append_char(out, '\n');
}

/* Offsets of each PC_NC_TEXT column's field in pc_voter_t, resolved once:
 * looking them up by name per field would dominate exporting 10M lines. */
static size_t text_offsets[PC_NC_COLUMNS];
static unsigned char address_columns[PC_NC_COLUMNS];
static pthread_once_t offsets_once = PTHREAD_ONCE_INIT;

static int is_address_column(const char *column);

static void resolve_offsets(void) {
  static pc_voter_t probe;
  for (int i = 0; i < PC_NC_COLUMNS; i++) {
    if (pc_nc_layout[i].kind != PC_NC_TEXT) continue;
    size_t size;
    char *field = pc_voter_text_field(&probe, pc_nc_layout[i].column, &size);
    assert(field != NULL);
    text_offsets[i] = (size_t)(field - (char *)&probe);
    address_columns[i] = (unsigned char)is_address_column(pc_nc_layout[i].column);
  }
}

static int is_address_column(const char *column) {
  return strncmp(column, "res_", 4) == 0 || strncmp(column, "mail_", 5) == 0 || strcmp(column, "phone") == 0;
}

void pc_nc_write_record(pc_buf_t *out, const pc_voter_t *v, const char *county_name, const char *precinct_desc,
                        int reference_year, int with_birth_date) {
  pthread_once(&offsets_once, resolve_offsets);
  int confidential = v->confidential[0] == 'Y';
  for (int i = 0; i < PC_NC_COLUMNS; i++) {
    const pc_nc_column_t *c = &pc_nc_layout[i];
    if (i) pc_buf_append_char(out, '\t');
    switch (c->kind) {
    case PC_NC_TEXT: {
      if (confidential && address_columns[i]) break;
      pc_buf_append_str(out, (const char *)v + text_offsets[i]);
      break;
    }
    case PC_NC_COUNTY_ID: pc_buf_appendf(out, "%lld", (long long)v->county_id); break;
    case PC_NC_COUNTY_DESC: pc_buf_append_str(out, county_name); break;
    case PC_NC_STATUS_DESC: pc_buf_append_str(out, pc_voters_status_desc(v->status)); break;
    case PC_NC_AGE:
      if (v->birth_year) pc_buf_appendf(out, "%lld", (long long)(reference_year - v->birth_year));
      break;
    case PC_NC_DATE:
      if (v->registration_date[0])
        pc_buf_appendf(out, "%.2s/%.2s/%.4s", v->registration_date + 5, v->registration_date + 8, v->registration_date);
      break;
    case PC_NC_BIRTH_YEAR:
      if (v->birth_year) pc_buf_appendf(out, "%lld", (long long)v->birth_year);
      break;
    case PC_NC_PRECINCT_DESC: pc_buf_append_str(out, precinct_desc); break;
    default: break;
    }
  }
  if (with_birth_date) pc_buf_appendf(out, "\t%s", v->birth_date);
  pc_buf_append_char(out, '\n');
}
