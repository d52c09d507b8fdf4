/* attention_from_cls.c — the public API in one page: load a model folder and its tokenizer,
 * encode a sentence, run the encoder, and print where the first token looks in the last layer
 * (attention averaged over heads).
 *
 *   attention_from_cls MODEL_DIR "some sentence"                                              */
#include <stdio.h>
#include <stdlib.h>

#include "attnscope.h"

static int fail(void) {
    fprintf(stderr, "attention_from_cls: %s\n", attn_last_error());
    return 1;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: attention_from_cls MODEL_DIR \"sentence\"\n");
        return 2;
    }
    attn_model *model = NULL;
    attn_tokenizer *tok = NULL;
    if (attn_model_open(argv[1], &model) != ATTN_OK) return fail();
    if (attn_tokenizer_open(argv[1], &tok) != ATTN_OK) {
        attn_model_free(model);
        return fail();
    }

    attn_encoding enc;
    attn_output out;
    int rc = 0;
    if (attn_tokenizer_encode(tok, argv[2], NULL, NULL, &enc) != ATTN_OK) {
        rc = fail();
    } else {
        attn_input in = {enc.ids, enc.type_ids, enc.n};
        if (attn_model_forward(model, &in, 1, ATTN_OUT_ATTENTIONS, &out) != ATTN_OK) {
            rc = fail();
        } else {
            const attn_config *cfg = attn_model_config(model);
            int T = out.len, last = cfg->layers - 1;
            printf("%s, layer %d, attention from %s (mean over %d heads):\n", cfg->model_type, last, enc.tokens[0], cfg->heads);
            for (int j = 0; j < T; j++) {
                float mean = 0.0f;
                for (int h = 0; h < cfg->heads; h++) /* attentions: [layers][heads][T][T], row 0 = from token 0 */
                    mean += out.attentions[(((size_t)last * cfg->heads + h) * T + 0) * T + j];
                mean /= (float)cfg->heads;
                int chars = 0; /* pad by characters: byte-level BPE tokens are multi-byte (Ġ) */
                for (const char *p = enc.tokens[j]; *p; p++) chars += (*p & 0xC0) != 0x80;
                printf("  %s%*s %.3f %.*s\n", enc.tokens[j], chars < 14 ? 14 - chars : 0, "", (double)mean,
                       (int)(mean * 40.0f + 0.5f), "########################################");
            }
            attn_output_free(&out);
        }
        attn_encoding_free(&enc);
    }
    attn_tokenizer_free(tok);
    attn_model_free(model);
    return rc;
}
