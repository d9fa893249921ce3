/* placeholder, replaced by the config loader */
#include "config.h"
#include <stdlib.h>
struct conf *conf_load(const char *path, struct conf_errors *errs) { (void)path; (void)errs; return NULL; }
void conf_free(struct conf *c) { free(c); }
void conf_errors_free(struct conf_errors *errs) { (void)errs; }
