/* resolve.c — MODEL argument → local folder. */
#include <string.h>

#include "common.h"

attn_status attn_hub_resolve(const char *model, const attn_hub_options *opts, char **dir) {
    (void)opts;
    *dir = NULL;
    if (attn_dir_exists(model)) {
        *dir = attn_strdup(model);
        return *dir ? ATTN_OK : attn_fail(ATTN_E_NOMEM, "out of memory");
    }
    return attn_fail(ATTN_E_NOT_FOUND, "%s: no such folder", model);
}

void attn_hub_options_init(attn_hub_options *o) {
    memset(o, 0, sizeof *o);
    o->offline = -1;
}
