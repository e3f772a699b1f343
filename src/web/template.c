/* Mustache-style templates: parsed once into a node tree (errors carry the
 * template name and line), rendered against a jansson context with HTML
 * escaping by default. Logic-less on purpose: no expressions, no lambdas, no
 * set-delimiters; anything computed is computed by the handler first. */
#include "precinct/template.h"
#include "precinct/alloc.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_PARTIAL_DEPTH = 16, MAX_CONTEXT_DEPTH = 64, MAX_NAME = 128 };

typedef enum { NODE_TEXT, NODE_VAR, NODE_RAW, NODE_SECTION, NODE_INVERTED, NODE_PARTIAL } node_type_t;

typedef struct node {
  node_type_t type;
  char *text; /* literal text, or the tag's name */
  size_t length;
  struct node *children;
  size_t child_count;
  long line;
} node_t;

typedef struct template {
  char *name;
  node_t *nodes;
  size_t count;
} template_t;

struct pc_templates {
  template_t *items;
  size_t count, capacity;
};

typedef struct parser {
  const char *name;
  const char *text;
  size_t pos;
  long line;
  pc_error_t *err;
} parser_t;

pc_templates_t *pc_templates_new(void) {
  return pc_xcalloc(1, sizeof(pc_templates_t));
}

static void free_nodes(node_t *nodes, size_t count) {
  for (size_t i = 0; i < count; i++) {
    free(nodes[i].text);
    free_nodes(nodes[i].children, nodes[i].child_count);
  }
  free(nodes);
}

void pc_templates_free(pc_templates_t *templates) {
  if (templates == NULL) return;
  for (size_t i = 0; i < templates->count; i++) {
    free(templates->items[i].name);
    free_nodes(templates->items[i].nodes, templates->items[i].count);
  }
  free(templates->items);
  free(templates);
}

static const template_t *find(const pc_templates_t *templates, const char *name) {
  for (size_t i = 0; i < templates->count; i++)
    if (strcmp(templates->items[i].name, name) == 0) return &templates->items[i];
  return NULL;
}

int pc_templates_has(const pc_templates_t *templates, const char *name) {
  return find(templates, name) != NULL;
}

static node_t *push_node(node_t **nodes, size_t *count, size_t *capacity) {
  if (*count == *capacity) {
    *capacity = *capacity ? *capacity * 2 : 8;
    *nodes = pc_xreallocarray(*nodes, *capacity, sizeof **nodes);
  }
  node_t *n = &(*nodes)[(*count)++];
  memset(n, 0, sizeof *n);
  return n;
}

static void advance(parser_t *p, size_t to) {
  for (size_t i = p->pos; i < to; i++)
    if (p->text[i] == '\n') p->line++;
  p->pos = to;
}

static int valid_name(const char *s, size_t n) {
  if (n == 0 || n > MAX_NAME) return 0;
  if (n == 1 && s[0] == '.') return 1;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
             (c == '.' && i > 0 && i + 1 < n && s[i - 1] != '.');
    if (!ok) return 0;
  }
  return 1;
}

/* Parses nodes until end of text (CLOSING NULL) or until {{/CLOSING}}. */
static int parse_nodes(parser_t *p, const char *closing, long opened_line, node_t **out, size_t *out_count) {
  node_t *nodes = NULL;
  size_t count = 0, capacity = 0;
  int rc = 0;
  for (;;) {
    const char *open = strstr(p->text + p->pos, "{{");
    size_t text_end = open ? (size_t)(open - p->text) : strlen(p->text);
    if (text_end > p->pos) {
      node_t *n = push_node(&nodes, &count, &capacity);
      n->type = NODE_TEXT;
      n->length = text_end - p->pos;
      n->text = pc_xstrndup(p->text + p->pos, n->length);
      n->line = p->line;
    }
    advance(p, text_end);
    if (open == NULL) {
      if (closing)
        rc = pc_error_set_at(p->err, PC_EINVAL, p->name, opened_line, closing, "section {{#%s}} is never closed",
                             closing);
      break;
    }
    int triple = open[2] == '{';
    const char *body = open + (triple ? 3 : 2);
    const char *end = strstr(body, triple ? "}}}" : "}}");
    if (end == NULL) {
      rc = pc_error_set_at(p->err, PC_EINVAL, p->name, p->line, NULL, "tag opened with {{ is never closed");
      break;
    }
    long tag_line = p->line;
    char sigil = triple ? '&' : body[0];
    const char *name = body;
    if (!triple && strchr("#^/>!&", sigil) && sigil != '\0') name++;
    else if (!triple) sigil = 0;
    const char *name_end = end;
    while (name < name_end && (*name == ' ' || *name == '\t')) name++;
    while (name_end > name && (name_end[-1] == ' ' || name_end[-1] == '\t')) name_end--;
    advance(p, (size_t)(end - p->text) + (triple ? 3 : 2));
    if (sigil == '!') continue;
    size_t name_len = (size_t)(name_end - name);
    if (!valid_name(name, name_len)) {
      rc = pc_error_set_at(p->err, PC_EINVAL, p->name, tag_line, NULL,
                           "bad tag name \"%.*s\": expected letters, digits, _ - and dots", (int)(name_len > 64 ? 64 : name_len), name);
      break;
    }
    char *tag = pc_xstrndup(name, name_len);
    if (sigil == '/') {
      if (closing == NULL || strcmp(tag, closing) != 0) {
        rc = pc_error_set_at(p->err, PC_EINVAL, p->name, tag_line, tag, "{{/%s}} closes no open section%s%s", tag,
                             closing ? "; expected {{/" : "", closing ? closing : "");
        free(tag);
        break;
      }
      free(tag);
      *out = nodes;
      *out_count = count;
      return 0;
    }
    node_t *n = push_node(&nodes, &count, &capacity);
    n->text = tag;
    n->line = tag_line;
    switch (sigil) {
    case '&': n->type = NODE_RAW; break;
    case '>': n->type = NODE_PARTIAL; break;
    case '#':
    case '^':
      n->type = sigil == '#' ? NODE_SECTION : NODE_INVERTED;
      rc = parse_nodes(p, tag, tag_line, &n->children, &n->child_count);
      break;
    default: n->type = NODE_VAR; break;
    }
    if (rc != 0) break;
  }
  if (rc != 0) {
    free_nodes(nodes, count);
    return rc;
  }
  *out = nodes;
  *out_count = count;
  return 0;
}

int pc_templates_add(pc_templates_t *templates, const char *name, const char *text, pc_error_t *err) {
  if (find(templates, name)) return pc_error_set_at(err, PC_EEXIST, name, 0, NULL, "template defined twice");
  parser_t p = {name, text, 0, 1, err};
  template_t t = {NULL, NULL, 0};
  int rc = parse_nodes(&p, NULL, 0, &t.nodes, &t.count);
  if (rc != 0) return rc;
  t.name = pc_xstrdup(name);
  if (templates->count == templates->capacity) {
    templates->capacity = templates->capacity ? templates->capacity * 2 : 16;
    templates->items = pc_xreallocarray(templates->items, templates->capacity, sizeof *templates->items);
  }
  templates->items[templates->count++] = t;
  return 0;
}

static int check_partials(const pc_templates_t *templates, const char *name, const node_t *nodes, size_t count,
                          pc_error_t *err) {
  for (size_t i = 0; i < count; i++) {
    if (nodes[i].type == NODE_PARTIAL && !find(templates, nodes[i].text))
      return pc_error_set_at(err, PC_EINVAL, name, nodes[i].line, nodes[i].text, "partial {{> %s}} does not exist",
                             nodes[i].text);
    int rc = check_partials(templates, name, nodes[i].children, nodes[i].child_count, err);
    if (rc != 0) return rc;
  }
  return 0;
}

int pc_templates_add_embedded(pc_templates_t *templates, const pc_embedded_file_t *table, pc_error_t *err) {
  for (const pc_embedded_file_t *f = table; f->name; f++) {
    size_t n = strlen(f->name);
    if (n <= 5 || strcmp(f->name + n - 5, ".html") != 0) continue;
    char name[256];
    if (n - 5 >= sizeof name) return pc_error_set_at(err, PC_EINVAL, f->name, 0, NULL, "template name too long");
    memcpy(name, f->name, n - 5);
    name[n - 5] = '\0';
    int rc = pc_templates_add(templates, name, f->data, err);
    if (rc != 0) return rc;
  }
  for (size_t i = 0; i < templates->count; i++) {
    int rc = check_partials(templates, templates->items[i].name, templates->items[i].nodes, templates->items[i].count, err);
    if (rc != 0) return rc;
  }
  return 0;
}

/* ---- rendering ----------------------------------------------------------- */

typedef struct render {
  const pc_templates_t *templates;
  json_t *stack[MAX_CONTEXT_DEPTH];
  int depth;
  int partial_depth;
  pc_buf_t *out;
  pc_error_t *err;
} render_t;

/* Resolves a possibly dotted NAME: the first part through the context stack
 * (innermost first), the rest inside that value. */
static json_t *lookup(const render_t *r, const char *name) {
  if (strcmp(name, ".") == 0) return r->depth > 0 ? r->stack[r->depth - 1] : NULL;
  const char *dot = strchr(name, '.');
  size_t first_len = dot ? (size_t)(dot - name) : strlen(name);
  char part[MAX_NAME + 1];
  memcpy(part, name, first_len);
  part[first_len] = '\0';
  json_t *value = NULL;
  for (int i = r->depth - 1; i >= 0 && value == NULL; i--)
    if (json_is_object(r->stack[i])) value = json_object_get(r->stack[i], part);
  while (value && dot) {
    const char *next = dot + 1;
    dot = strchr(next, '.');
    size_t len = dot ? (size_t)(dot - next) : strlen(next);
    memcpy(part, next, len);
    part[len] = '\0';
    value = json_is_object(value) ? json_object_get(value, part) : NULL;
  }
  return value;
}

static int truthy(json_t *v) {
  if (v == NULL || json_is_null(v) || json_is_false(v)) return 0;
  if (json_is_array(v)) return json_array_size(v) > 0;
  if (json_is_string(v)) return json_string_length(v) > 0;
  return 1;
}

static int append_value(pc_buf_t *out, json_t *v, int escape) {
  char number[64];
  const char *text = "";
  if (json_is_string(v)) text = json_string_value(v);
  else if (json_is_integer(v)) pc_snprintf(number, sizeof number, "%lld", (long long)json_integer_value(v)), text = number;
  else if (json_is_real(v)) pc_snprintf(number, sizeof number, "%g", json_real_value(v)), text = number;
  else if (json_is_true(v)) text = "true";
  return escape ? pc_buf_append_html(out, text) : pc_buf_append_str(out, text);
}

static int render_nodes(render_t *r, const node_t *nodes, size_t count);

static int push_and_render(render_t *r, json_t *value, const node_t *n) {
  if (r->depth == MAX_CONTEXT_DEPTH)
    return pc_error_set_at(r->err, PC_ELIMIT, NULL, n->line, n->text, "sections nested deeper than %d", MAX_CONTEXT_DEPTH);
  r->stack[r->depth++] = value;
  int rc = render_nodes(r, n->children, n->child_count);
  r->depth--;
  return rc;
}

static int render_nodes(render_t *r, const node_t *nodes, size_t count) {
  for (size_t i = 0; i < count; i++) {
    const node_t *n = &nodes[i];
    int rc = 0;
    switch (n->type) {
    case NODE_TEXT: rc = pc_buf_append(r->out, n->text, n->length); break;
    case NODE_VAR:
    case NODE_RAW: {
      json_t *v = lookup(r, n->text);
      if (v) rc = append_value(r->out, v, n->type == NODE_VAR);
      break;
    }
    case NODE_SECTION: {
      json_t *v = lookup(r, n->text);
      if (!truthy(v)) break;
      if (json_is_array(v)) {
        for (size_t k = 0; k < json_array_size(v) && rc == 0; k++) rc = push_and_render(r, json_array_get(v, k), n);
      } else {
        rc = push_and_render(r, v, n);
      }
      break;
    }
    case NODE_INVERTED:
      if (!truthy(lookup(r, n->text))) rc = render_nodes(r, n->children, n->child_count);
      break;
    case NODE_PARTIAL: {
      const template_t *t = find(r->templates, n->text);
      if (t == NULL) return pc_error_set_at(r->err, PC_ENOTFOUND, NULL, n->line, n->text, "no partial %s", n->text);
      if (r->partial_depth == MAX_PARTIAL_DEPTH)
        return pc_error_set_at(r->err, PC_ELIMIT, NULL, n->line, n->text, "partials nested deeper than %d",
                               MAX_PARTIAL_DEPTH);
      r->partial_depth++;
      rc = render_nodes(r, t->nodes, t->count);
      r->partial_depth--;
      break;
    }
    }
    if (rc == PC_ELIMIT && r->err && r->err->code == 0) pc_error_set(r->err, PC_ELIMIT, "output too large");
    if (rc != 0) return rc;
  }
  return 0;
}

int pc_templates_render(const pc_templates_t *templates, const char *name, json_t *context, pc_buf_t *out,
                        pc_error_t *err) {
  const template_t *t = find(templates, name);
  if (t == NULL) return pc_error_set_at(err, PC_ENOTFOUND, name, 0, NULL, "no template named %s", name);
  render_t r;
  memset(&r, 0, sizeof r);
  r.templates = templates;
  r.out = out;
  r.err = err;
  if (context) r.stack[r.depth++] = context;
  size_t start = out->len;
  int rc = render_nodes(&r, t->nodes, t->count);
  if (rc != 0) {
    out->len = start;
    if (out->data) out->data[start] = '\0';
  }
  return rc;
}
