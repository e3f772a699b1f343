/* Logic-less, mustache-style HTML templates (docs/internals/http.md):
 * {{name}} HTML-escaped, {{{name}}} raw, dotted names, {{#section}},
 * {{^inverted}}, {{> partial}} and {{! comments}}. Templates are parsed once
 * (syntax errors carry the template name and line) and rendered with a
 * jansson object as context. No set-delimiter tags, no lambdas, and no
 * whitespace trimming of standalone tags. */
#ifndef PRECINCT_TEMPLATE_H
#define PRECINCT_TEMPLATE_H

#include <jansson.h>

#include "precinct/buf.h"
#include "precinct/embedded.h"
#include "precinct/error.h"

typedef struct pc_templates pc_templates_t;

/* An empty set. Free with pc_templates_free. */
pc_templates_t *pc_templates_new(void);
void pc_templates_free(pc_templates_t *templates);

/* Parses TEXT as template NAME and adds it (replacing nothing: PC_EEXIST if
 * NAME exists). Syntax errors are PC_EINVAL with ERR->file = NAME and
 * ERR->line set. */
int pc_templates_add(pc_templates_t *templates, const char *name, const char *text, pc_error_t *err);

/* Adds every "*.html" file of TABLE under its name without ".html", then
 * checks that every partial referenced exists (PC_EINVAL naming it). */
int pc_templates_add_embedded(pc_templates_t *templates, const pc_embedded_file_t *table, pc_error_t *err);

/* 1 when NAME exists. */
int pc_templates_has(const pc_templates_t *templates, const char *name);

/* Appends template NAME rendered with CONTEXT (borrowed; NULL = empty) to OUT.
 * Missing keys render as nothing. Errors: PC_ENOTFOUND (template or partial),
 * PC_ELIMIT (output past OUT's limit, or partials nested deeper than 16). OUT
 * keeps what was appended before the call on failure. */
int pc_templates_render(const pc_templates_t *templates, const char *name, json_t *context, pc_buf_t *out,
                        pc_error_t *err);

#endif
