/* fuzz_safetensors.c — the safetensors reader on arbitrary bytes: must never crash, and every
 * tensor it accepts must lie inside the buffer with a size matching its dtype and shape. */
#include <stdint.h>
#include <stdlib.h>

#include "tensors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    attn_tensor_set ts = {0};
    if (safetensors_parse(&ts, "fuzz.safetensors", data, size) == ATTN_OK) {
        for (int i = 0; i < ts.n; i++) {
            const attn_tensor *t = &ts.items[i];
            if (t->data < data || t->data + t->nbytes > data + size) abort();
            if ((size_t)tensor_numel(t) * attn_dtype_size(t->dtype) != t->nbytes) abort();
            if (t->nbytes) (void)tensor_get_f32(t, tensor_numel(t) - 1);
        }
    }
    tensor_set_free(&ts);
    return 0;
}
