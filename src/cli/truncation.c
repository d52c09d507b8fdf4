/* truncation.c — a text longer than the model's positions, the same way in every command: cut
 * (attn_encode_to_fit), one warning line naming it, and a note in the outputs. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* The first ~40 bytes of a text for a message: cut at a character boundary, control characters
 * shown as spaces, "..." when cut. */
static const char *text_preview(const char *s, size_t len, char *out, size_t size) {
    size_t n = len < 40 ? len : 40, o = 0;
    while (n < len && n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--; /* not inside a character */
    for (size_t i = 0; i < n && o + 4 < size; i++) out[o++] = (unsigned char)s[i] < 0x20 ? ' ' : s[i];
    if (n < len && o + 4 < size) memcpy(out + o, "...", 3), o += 3;
    out[o] = '\0';
    return out;
}

void cli_truncation_warning(const char *name, const char *text, size_t text_len, int32_t positions,
                            attn_truncation_info cut) {
    if (!cut.tokens) return;
    char preview[64];
    fprintf(stderr, "attnscope: warning: %s (\"%s\"): %d tokens exceed the model's %d positions; truncated to %d\n", name,
            text_preview(text, text_len, preview, sizeof preview), cut.tokens, positions, cut.kept);
}

int cli_encode_to_fit(const char *name, const attn_tokenizer *tok, const attn_config *cfg, const char *text,
                      size_t text_len, const char *pair, size_t pair_len, attn_encoding *e, attn_truncation_info *cut) {
    attn_truncation_info c;
    if (attn_encode_to_fit(tok, cfg, text, text_len, pair, pair_len, e, &c) != ATTN_OK)
        return !cli_error("%s: %s", name, attn_last_error());
    cli_truncation_warning(name, text, text_len, attn_config_max_tokens(cfg), c);
    if (cut) *cut = c;
    return 1;
}
