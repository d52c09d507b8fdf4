/* torch_bin.c — pytorch_model.bin (torch zip + pickle). Implemented by the Hub issue. */
#include "tensors.h"

attn_status torch_bin_load(attn_tensor_set *ts, const char *path) {
    (void)ts;
    return attn_fail(ATTN_E_UNSUPPORTED, "%s: pytorch_model.bin is not supported yet", path);
}
