/* fuzz_torch_bin.c — the restricted pickle machine of pytorch_model.bin on arbitrary bytes: it must
 * never crash, loop or leak, whatever opcodes and globals the input names. */
#include <stddef.h>
#include <stdint.h>

#include "tensors.h"

attn_status torch_bin_check_pickle(const uint8_t *data, size_t len); /* torch_bin.c, for fuzzing */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    torch_bin_check_pickle(data, size);
    return 0;
}
