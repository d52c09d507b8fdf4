/* fuzz_config.c — config.json parsing on arbitrary bytes: never a crash; accepted configs are sane. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static char path[64];
    if (!path[0]) snprintf(path, sizeof path, "/tmp/attn_fuzz_config_%d.json", (int)getpid());
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    attn_config c;
    if (attn_config_read(path, &c) == ATTN_OK) {
        if (c.hidden % c.heads != 0 || c.layers < 1 || c.parameters <= 0) abort();
    }
    unlink(path);
    return 0;
}
