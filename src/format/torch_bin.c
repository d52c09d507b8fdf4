/* torch_bin.c — pytorch_model.bin without executing anything.
 *
 * torch.save (torch >= 1.6) writes a zip archive (entries stored, not compressed):
 *     <name>/data.pkl      a pickle of the state dict
 *     <name>/data/<key>    the raw bytes of each storage
 *     <name>/byteorder     "little" (absent in older files, which are little-endian)
 * The pickle is an OrderedDict name -> torch._utils._rebuild_tensor_v2(
 *     persistent_load(('storage', torch.FloatStorage, key, location, numel)),
 *     storage_offset, size, stride, requires_grad, backward_hooks).
 *
 * Unpickling normally means calling whatever the file names, so a .bin can run arbitrary code.
 * Here a tiny pickle machine knows a fixed set of opcodes and a fixed set of GLOBALs, and builds
 * plain descriptions instead of calling anything; every other opcode or global is refused. */
#include <stdlib.h>
#include <string.h>

#include <zip.h>

#include "tensors.h"

/* ---- values of the pickle machine ---------------------------------------------------------- */

typedef enum {
    V_NONE, V_BOOL, V_INT, V_FLOAT, V_STR, V_TUPLE, V_LIST, V_DICT, V_GLOBAL, V_STORAGE, V_TENSOR
} value_kind;

/* The only callables a file may name. */
typedef enum { G_ORDERED_DICT, G_REBUILD_TENSOR_V2, G_REBUILD_PARAMETER, G_STORAGE_TYPE } global_kind;

typedef struct value value;
struct value {
    value_kind kind;
    union {
        int64_t i;
        double f;
        struct { const char *s; size_t len; } str;                /* points into the pickle */
        struct { value **items; size_t n, cap; } seq;             /* tuple, list; dict = k,v,k,v */
        struct { global_kind g; attn_dtype dtype; const char *name; } glob;
        struct { attn_dtype dtype; const char *key; size_t keylen; int64_t numel; } storage;
        struct { value *storage; int64_t offset; int ndim; int64_t size[ATTN_MAX_DIMS], stride[ATTN_MAX_DIMS]; } tensor;
    } u;
};

#define PICKLE_MAX_STACK (1 << 20)
#define PICKLE_MAX_MEMO (1 << 24)

typedef struct pickle_vm {
    const char *path;             /* for messages */
    const uint8_t *p, *end, *start;
    value **stack;
    size_t nstack, capstack;
    size_t *marks;
    size_t nmarks, capmarks;
    value **memo;
    size_t capmemo;
    value **all;                  /* every value allocated, freed together */
    size_t nall, capall;
} pickle_vm;

static value *new_value(pickle_vm *vm, value_kind kind) {
    if (!attn_grow((void **)&vm->all, &vm->capall, vm->nall + 1, sizeof *vm->all)) return NULL;
    value *v = calloc(1, sizeof *v);
    if (!v) return NULL;
    v->kind = kind;
    vm->all[vm->nall++] = v;
    return v;
}

static void vm_free(pickle_vm *vm) {
    for (size_t i = 0; i < vm->nall; i++) {
        value *v = vm->all[i];
        if (v->kind == V_TUPLE || v->kind == V_LIST || v->kind == V_DICT) free(v->u.seq.items);
        free(v);
    }
    free(vm->all);
    free(vm->stack);
    free(vm->marks);
    free(vm->memo);
}

static int seq_push(value *seq, value *item) {
    if (!attn_grow((void **)&seq->u.seq.items, &seq->u.seq.cap, seq->u.seq.n + 1, sizeof(value *))) return 0;
    seq->u.seq.items[seq->u.seq.n++] = item;
    return 1;
}

/* ---- the machine ---------------------------------------------------------------------------- */

static attn_status vm_error(pickle_vm *vm, const char *what) {
    return attn_fail(ATTN_E_FORMAT, "%s: pickle: %s at byte %zu", vm->path, what, (size_t)(vm->p - vm->start));
}

static attn_status push(pickle_vm *vm, value *v) {
    if (!v) return attn_fail(ATTN_E_NOMEM, "%s: out of memory", vm->path);
    if (vm->nstack >= PICKLE_MAX_STACK) return vm_error(vm, "stack too deep");
    if (!attn_grow((void **)&vm->stack, &vm->capstack, vm->nstack + 1, sizeof *vm->stack))
        return attn_fail(ATTN_E_NOMEM, "%s: out of memory", vm->path);
    vm->stack[vm->nstack++] = v;
    return ATTN_OK;
}

static value *pop(pickle_vm *vm) {
    size_t floor = vm->nmarks ? vm->marks[vm->nmarks - 1] : 0;
    return vm->nstack > floor ? vm->stack[--vm->nstack] : NULL;
}

static value *top(pickle_vm *vm) {
    size_t floor = vm->nmarks ? vm->marks[vm->nmarks - 1] : 0;
    return vm->nstack > floor ? vm->stack[vm->nstack - 1] : NULL;
}

static int take(pickle_vm *vm, size_t n, const uint8_t **out) {
    if ((size_t)(vm->end - vm->p) < n) return 0;
    *out = vm->p;
    vm->p += n;
    return 1;
}

static uint64_t le(const uint8_t *b, int n) {
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--) v = v << 8 | b[i];
    return v;
}

/* Items above the last mark become a new sequence of the given kind; the mark is removed. */
static attn_status pop_mark_into(pickle_vm *vm, value *seq) {
    if (!seq) return attn_fail(ATTN_E_NOMEM, "%s: out of memory", vm->path);
    if (!vm->nmarks) return vm_error(vm, "no MARK for a sequence");
    size_t m = vm->marks[--vm->nmarks];
    for (size_t i = m; i < vm->nstack; i++)
        if (!seq_push(seq, vm->stack[i])) return attn_fail(ATTN_E_NOMEM, "%s: out of memory", vm->path);
    vm->nstack = m;
    return ATTN_OK;
}

static attn_status tuple_of(pickle_vm *vm, int n) {
    value *t = new_value(vm, V_TUPLE);
    if (!t) return push(vm, NULL);
    value *items[3];
    for (int i = n - 1; i >= 0; i--)
        if (!(items[i] = pop(vm))) return vm_error(vm, "stack underflow");
    for (int i = 0; i < n; i++)
        if (!seq_push(t, items[i])) return push(vm, NULL);
    return push(vm, t);
}

static attn_status memo_put(pickle_vm *vm, uint64_t idx) {
    value *v = top(vm);
    if (!v) return vm_error(vm, "memo put of an empty stack");
    if (idx >= PICKLE_MAX_MEMO) return vm_error(vm, "memo index too large");
    size_t old = vm->capmemo;
    if (!attn_grow((void **)&vm->memo, &vm->capmemo, (size_t)idx + 1, sizeof *vm->memo))
        return attn_fail(ATTN_E_NOMEM, "%s: out of memory", vm->path);
    if (vm->capmemo > old) memset(vm->memo + old, 0, (vm->capmemo - old) * sizeof *vm->memo);
    vm->memo[idx] = v;
    return ATTN_OK;
}

static attn_status memo_get(pickle_vm *vm, uint64_t idx) {
    if (idx >= vm->capmemo || !vm->memo[idx]) return vm_error(vm, "memo get of an unset index");
    return push(vm, vm->memo[idx]);
}

static const struct {
    const char *name;
    attn_dtype dtype;
} storage_types[] = {
    {"FloatStorage", ATTN_DTYPE_F32}, {"HalfStorage", ATTN_DTYPE_F16},  {"BFloat16Storage", ATTN_DTYPE_BF16},
    {"DoubleStorage", ATTN_DTYPE_F64}, {"LongStorage", ATTN_DTYPE_I64}, {"IntStorage", ATTN_DTYPE_I32},
    {"ShortStorage", ATTN_DTYPE_I16}, {"CharStorage", ATTN_DTYPE_I8},   {"ByteStorage", ATTN_DTYPE_U8},
    {"BoolStorage", ATTN_DTYPE_BOOL},
};

static int str_is(const uint8_t *s, size_t n, const char *lit) { return strlen(lit) == n && memcmp(s, lit, n) == 0; }

/* The allow-list. Anything else is refused, naming what the file asked for. */
static attn_status global(pickle_vm *vm, const uint8_t *mod, size_t modlen, const uint8_t *name, size_t namelen) {
    value *g = new_value(vm, V_GLOBAL);
    if (!g) return push(vm, NULL);
    if (str_is(mod, modlen, "collections") && str_is(name, namelen, "OrderedDict")) {
        g->u.glob.g = G_ORDERED_DICT;
        g->u.glob.name = "collections.OrderedDict";
        return push(vm, g);
    }
    if (str_is(mod, modlen, "torch._utils") && str_is(name, namelen, "_rebuild_tensor_v2")) {
        g->u.glob.g = G_REBUILD_TENSOR_V2;
        g->u.glob.name = "torch._utils._rebuild_tensor_v2";
        return push(vm, g);
    }
    if (str_is(mod, modlen, "torch._utils") && str_is(name, namelen, "_rebuild_parameter")) {
        g->u.glob.g = G_REBUILD_PARAMETER;
        g->u.glob.name = "torch._utils._rebuild_parameter";
        return push(vm, g);
    }
    if (str_is(mod, modlen, "torch"))
        for (size_t i = 0; i < sizeof storage_types / sizeof storage_types[0]; i++)
            if (str_is(name, namelen, storage_types[i].name)) {
                g->u.glob.g = G_STORAGE_TYPE;
                g->u.glob.dtype = storage_types[i].dtype;
                g->u.glob.name = storage_types[i].name;
                return push(vm, g);
            }
    int ml = (int)(modlen > 100 ? 100 : modlen), nl = (int)(namelen > 100 ? 100 : namelen);
    for (int i = 0; i < ml; i++) if (mod[i] < 0x20 || mod[i] > 0x7e) ml = i;
    for (int i = 0; i < nl; i++) if (name[i] < 0x20 || name[i] > 0x7e) nl = i;
    return attn_fail(ATTN_E_FORMAT,
                     "%s: pickle GLOBAL '%.*s.%.*s' is not allowed (only collections.OrderedDict, "
                     "torch._utils._rebuild_tensor_v2, torch._utils._rebuild_parameter and torch.*Storage "
                     "are; the file may try to run code)",
                     vm->path, ml, (const char *)mod, nl, (const char *)name);
}

static int as_int(const value *v, int64_t *out) {
    if (!v || (v->kind != V_INT && v->kind != V_BOOL)) return 0;
    *out = v->u.i;
    return 1;
}

static int int_tuple(const value *v, int64_t *out, int *n) {
    if (!v || v->kind != V_TUPLE || v->u.seq.n > ATTN_MAX_DIMS) return 0;
    for (size_t i = 0; i < v->u.seq.n; i++)
        if (!as_int(v->u.seq.items[i], &out[i])) return 0;
    *n = (int)v->u.seq.n;
    return 1;
}

/* ('storage', torch.XStorage, key, location, numel) -> a storage reference. */
static attn_status persistent_load(pickle_vm *vm) {
    value *pid = pop(vm);
    if (!pid) return vm_error(vm, "stack underflow");
    value **it = pid->kind == V_TUPLE ? pid->u.seq.items : NULL;
    if (!it || pid->u.seq.n != 5 || it[0]->kind != V_STR || !str_is((const uint8_t *)it[0]->u.str.s, it[0]->u.str.len, "storage") ||
        it[1]->kind != V_GLOBAL || it[1]->u.glob.g != G_STORAGE_TYPE || it[2]->kind != V_STR || it[4]->kind != V_INT)
        return vm_error(vm, "persistent id is not ('storage', torch.<Type>Storage, key, location, numel)");
    const char *key = it[2]->u.str.s;
    size_t keylen = it[2]->u.str.len;
    if (keylen == 0 || keylen > 64) return vm_error(vm, "bad storage key");
    for (size_t i = 0; i < keylen; i++) /* the key names a zip entry: no '/', no '..' */
        if (!((key[i] >= '0' && key[i] <= '9') || (key[i] >= 'a' && key[i] <= 'z') || (key[i] >= 'A' && key[i] <= 'Z') || key[i] == '_'))
            return vm_error(vm, "bad storage key");
    if (it[4]->u.i < 0) return vm_error(vm, "negative storage size");
    value *s = new_value(vm, V_STORAGE);
    if (!s) return push(vm, NULL);
    s->u.storage.dtype = it[1]->u.glob.dtype;
    s->u.storage.key = key;
    s->u.storage.keylen = keylen;
    s->u.storage.numel = it[4]->u.i;
    return push(vm, s);
}

static attn_status reduce(pickle_vm *vm) {
    value *args = pop(vm), *fn = pop(vm);
    if (!args || !fn) return vm_error(vm, "stack underflow");
    if (fn->kind != V_GLOBAL) return vm_error(vm, "REDUCE of something that is not an allowed callable");
    if (args->kind != V_TUPLE) return vm_error(vm, "REDUCE arguments are not a tuple");
    value **a = args->u.seq.items;
    size_t n = args->u.seq.n;
    switch (fn->u.glob.g) {
    case G_ORDERED_DICT:
        if (n != 0) return vm_error(vm, "OrderedDict called with arguments");
        return push(vm, new_value(vm, V_DICT));
    case G_REBUILD_TENSOR_V2: {
        /* (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata]) */
        if (n < 4 || n > 7 || a[0]->kind != V_STORAGE) return vm_error(vm, "bad _rebuild_tensor_v2 arguments");
        value *t = new_value(vm, V_TENSOR);
        if (!t) return push(vm, NULL);
        int nstride = 0;
        t->u.tensor.storage = a[0];
        if (!as_int(a[1], &t->u.tensor.offset) || !int_tuple(a[2], t->u.tensor.size, &t->u.tensor.ndim) ||
            !int_tuple(a[3], t->u.tensor.stride, &nstride) || nstride != t->u.tensor.ndim)
            return vm_error(vm, "bad _rebuild_tensor_v2 offset, size or stride");
        return push(vm, t);
    }
    case G_REBUILD_PARAMETER:
        /* (tensor, requires_grad, backward_hooks) */
        if (n != 3 || a[0]->kind != V_TENSOR) return vm_error(vm, "bad _rebuild_parameter arguments");
        return push(vm, a[0]);
    case G_STORAGE_TYPE: break;
    }
    return attn_fail(ATTN_E_FORMAT, "%s: pickle: REDUCE of torch.%s is not allowed", vm->path, fn->u.glob.name);
}

static const char *opcode_name(uint8_t op) {
    switch (op) {
    case 'i': return "INST";
    case 'o': return "OBJ";
    case 0x81: return "NEWOBJ";
    case 0x92: return "NEWOBJ_EX";
    case 'P': return "PERSID";
    case 'I': return "INT";
    case 'L': return "LONG";
    case 'S': return "STRING";
    case 'V': return "UNICODE";
    case 'F': return "FLOAT";
    case 'p': return "PUT";
    case 'g': return "GET";
    case 0x82: case 0x83: case 0x84: return "EXT";
    case 'B': case 'C': case 0x8e: return "BYTES";
    case 0x96: return "BYTEARRAY8";
    case 0x97: return "NEXT_BUFFER";
    case 0x98: return "READONLY_BUFFER";
    case 0x8f: return "EMPTY_SET";
    case 0x90: return "ADDITEMS";
    case 0x91: return "FROZENSET";
    }
    return "unknown";
}

/* ---- opcodes, one small function per family ------------------------------------------------ */

static attn_status op_bool(pickle_vm *vm, uint8_t op) {
    value *v = new_value(vm, V_BOOL);
    if (v) v->u.i = op == 0x88;
    return push(vm, v);
}

/* BININT1 (K), BININT2 (M), BININT (J, signed) */
static attn_status op_binint(pickle_vm *vm, uint8_t op) {
    const uint8_t *b;
    int n = op == 'K' ? 1 : op == 'M' ? 2 : 4;
    if (!take(vm, (size_t)n, &b)) return vm_error(vm, "truncated");
    value *v = new_value(vm, V_INT);
    if (v) v->u.i = op == 'J' ? (int64_t)(int32_t)(uint32_t)le(b, 4) : (int64_t)le(b, n);
    return push(vm, v);
}

/* LONG1: little-endian two's complement of n <= 8 bytes */
static attn_status op_long1(pickle_vm *vm) {
    const uint8_t *nb, *b;
    if (!take(vm, 1, &nb)) return vm_error(vm, "truncated");
    if (nb[0] > 8) return vm_error(vm, "integer wider than 64 bits");
    if (!take(vm, nb[0], &b)) return vm_error(vm, "truncated");
    uint64_t u = le(b, nb[0]);
    if (nb[0] && nb[0] < 8 && (b[nb[0] - 1] & 0x80)) u |= ~(uint64_t)0 << (8 * nb[0]);
    value *v = new_value(vm, V_INT);
    if (v) v->u.i = (int64_t)u;
    return push(vm, v);
}

/* BINFLOAT, big-endian */
static attn_status op_binfloat(pickle_vm *vm) {
    const uint8_t *b;
    if (!take(vm, 8, &b)) return vm_error(vm, "truncated");
    uint64_t u = 0;
    for (int i = 0; i < 8; i++) u = u << 8 | b[i];
    value *v = new_value(vm, V_FLOAT);
    if (v) memcpy(&v->u.f, &u, 8);
    return push(vm, v);
}

/* BINUNICODE (X), SHORT_BINUNICODE, SHORT_BINSTRING: the string points into the pickle */
static attn_status op_string(pickle_vm *vm, uint8_t op) {
    const uint8_t *b;
    int n = op == 'X' ? 4 : 1;
    if (!take(vm, (size_t)n, &b)) return vm_error(vm, "truncated");
    uint64_t len = le(b, n);
    if (len > (uint64_t)(vm->end - vm->p)) return vm_error(vm, "truncated string");
    take(vm, (size_t)len, &b);
    value *v = new_value(vm, V_STR);
    if (v) { v->u.str.s = (const char *)b; v->u.str.len = (size_t)len; }
    return push(vm, v);
}

/* BINPUT (q), LONG_BINPUT (r), MEMOIZE, BINGET (h), LONG_BINGET (j) */
static attn_status op_memo(pickle_vm *vm, uint8_t op) {
    const uint8_t *b;
    if (op == 0x94) { /* MEMOIZE: the next free index */
        size_t idx = 0;
        while (idx < vm->capmemo && vm->memo[idx]) idx++;
        return memo_put(vm, idx);
    }
    int n = op == 'q' || op == 'h' ? 1 : 4;
    if (!take(vm, (size_t)n, &b)) return vm_error(vm, "truncated");
    return op == 'q' || op == 'r' ? memo_put(vm, le(b, n)) : memo_get(vm, le(b, n));
}

static attn_status op_mark(pickle_vm *vm) {
    if (vm->nmarks >= PICKLE_MAX_STACK) return vm_error(vm, "too many marks");
    if (!attn_grow((void **)&vm->marks, &vm->capmarks, vm->nmarks + 1, sizeof *vm->marks))
        return attn_fail(ATTN_E_NOMEM, "%s: out of memory", vm->path);
    vm->marks[vm->nmarks++] = vm->nstack;
    return ATTN_OK;
}

/* TUPLE (t) and LIST (l): everything above the last mark */
static attn_status op_collect(pickle_vm *vm, value_kind kind) {
    value *t = new_value(vm, kind);
    attn_status s = pop_mark_into(vm, t);
    return s ? s : push(vm, t);
}

/* GLOBAL "module\nname\n" */
static attn_status op_global(pickle_vm *vm) {
    const uint8_t *mod = vm->p, *nl1 = memchr(mod, '\n', (size_t)(vm->end - mod));
    if (!nl1) return vm_error(vm, "truncated GLOBAL");
    const uint8_t *name = nl1 + 1, *nl2 = memchr(name, '\n', (size_t)(vm->end - name));
    if (!nl2) return vm_error(vm, "truncated GLOBAL");
    vm->p = nl2 + 1;
    return global(vm, mod, (size_t)(nl1 - mod), name, (size_t)(nl2 - name));
}

static attn_status op_stack_global(pickle_vm *vm) {
    value *name = pop(vm), *mod = pop(vm);
    if (!name || !mod || name->kind != V_STR || mod->kind != V_STR) return vm_error(vm, "bad STACK_GLOBAL");
    return global(vm, (const uint8_t *)mod->u.str.s, mod->u.str.len, (const uint8_t *)name->u.str.s, name->u.str.len);
}

/* BUILD: only the state dict's _metadata attribute; it is dropped */
static attn_status op_build(pickle_vm *vm) {
    value *state = pop(vm), *obj = top(vm);
    if (!state || !obj) return vm_error(vm, "stack underflow");
    if (obj->kind != V_DICT) return vm_error(vm, "BUILD of something that is not an OrderedDict");
    return ATTN_OK;
}

/* Where the items of SETITEM(S)/APPEND(S) start: the last `single` values, or the last mark. */
static attn_status items_from(pickle_vm *vm, size_t single, int marked, const char *what, size_t *from) {
    if (!marked) {
        size_t floor = vm->nmarks ? vm->marks[vm->nmarks - 1] : 0;
        if (vm->nstack - floor < single + 1) return vm_error(vm, "stack underflow");
        *from = vm->nstack - single;
        return ATTN_OK;
    }
    if (!vm->nmarks) return vm_error(vm, what);
    *from = vm->marks[--vm->nmarks];
    return ATTN_OK;
}

/* Moves stack[from..] into the container at stack[from - 1]. */
static attn_status move_items(pickle_vm *vm, size_t from) {
    for (size_t i = from; i < vm->nstack; i++)
        if (!seq_push(vm->stack[from - 1], vm->stack[i])) return attn_fail(ATTN_E_NOMEM, "%s: out of memory", vm->path);
    vm->nstack = from;
    return ATTN_OK;
}

/* SETITEM (s), SETITEMS (u) */
static attn_status op_setitems(pickle_vm *vm, uint8_t op) {
    size_t from = 0;
    attn_status s = items_from(vm, 2, op == 'u', "SETITEMS without MARK", &from);
    if (s) return s;
    if (from == 0 || (vm->nstack - from) % 2) return vm_error(vm, "bad SETITEMS");
    if (vm->stack[from - 1]->kind != V_DICT) return vm_error(vm, "SETITEM on something that is not a dict");
    return move_items(vm, from);
}

/* APPEND (a), APPENDS (e) */
static attn_status op_appends(pickle_vm *vm, uint8_t op) {
    size_t from = 0;
    attn_status s = items_from(vm, 1, op == 'e', "APPENDS without MARK", &from);
    if (s) return s;
    if (from == 0 || vm->stack[from - 1]->kind != V_LIST) return vm_error(vm, "APPEND to something that is not a list");
    return move_items(vm, from);
}

static attn_status op_proto(pickle_vm *vm) {
    const uint8_t *b;
    if (!take(vm, 1, &b)) return vm_error(vm, "truncated");
    if (b[0] < 2 || b[0] > 5) return vm_error(vm, "unsupported pickle protocol");
    return ATTN_OK;
}

/* Runs one opcode other than STOP. */
static attn_status vm_step(pickle_vm *vm, uint8_t op) {
    const uint8_t *b;
    switch (op) {
    case 0x80: return op_proto(vm);
    case 0x95: return take(vm, 8, &b) ? ATTN_OK : vm_error(vm, "truncated"); /* FRAME: a length hint */
    case '(': return op_mark(vm);
    case ')': return push(vm, new_value(vm, V_TUPLE));
    case ']': return push(vm, new_value(vm, V_LIST));
    case '}': return push(vm, new_value(vm, V_DICT));
    case 't': return op_collect(vm, V_TUPLE);
    case 'l': return op_collect(vm, V_LIST);
    case 0x85: return tuple_of(vm, 1);
    case 0x86: return tuple_of(vm, 2);
    case 0x87: return tuple_of(vm, 3);
    case 'N': return push(vm, new_value(vm, V_NONE));
    case 0x88: case 0x89: return op_bool(vm, op);
    case 'K': case 'M': case 'J': return op_binint(vm, op);
    case 0x8a: return op_long1(vm);
    case 'G': return op_binfloat(vm);
    case 'X': case 0x8c: case 'U': return op_string(vm, op);
    case 'q': case 'r': case 0x94: case 'h': case 'j': return op_memo(vm, op);
    case '0': return pop(vm) ? ATTN_OK : vm_error(vm, "stack underflow");
    case 'c': return op_global(vm);
    case 0x93: return op_stack_global(vm);
    case 'Q': return persistent_load(vm);
    case 'R': return reduce(vm);
    case 'b': return op_build(vm);
    case 's': case 'u': return op_setitems(vm, op);
    case 'a': case 'e': return op_appends(vm, op);
    }
    vm->p--;
    return attn_fail(ATTN_E_FORMAT, "%s: pickle opcode 0x%02x (%s) at byte %zu is not allowed", vm->path, op,
                     opcode_name(op), (size_t)(vm->p - vm->start));
}

/* Runs the pickle to its STOP; *result is the final value. */
static attn_status vm_run(pickle_vm *vm, value **result) {
    for (;;) {
        if (vm->p >= vm->end) return vm_error(vm, "truncated (no STOP)");
        uint8_t op = *vm->p++;
        if (op == '.') { /* STOP */
            if (vm->nmarks || vm->nstack != 1) return vm_error(vm, "STOP with a stack that is not one value");
            *result = vm->stack[0];
            return ATTN_OK;
        }
        attn_status s = vm_step(vm, op);
        if (s) return s;
    }
}

/* ---- from descriptions to tensors ----------------------------------------------------------- */

typedef struct loaded_storage {
    const char *key;
    size_t keylen;
    attn_dtype dtype;
    uint8_t *data;
    size_t nbytes;
} loaded_storage;

typedef struct bin_reader {
    const char *path;
    zip_t *za;
    char *prefix;                 /* "pytorch_model" or "archive" */
    loaded_storage *storages;
    size_t nstorages, capstorages;
    attn_tensor_set *ts;
    const char *file;             /* the set's copy of path */
} bin_reader;

static attn_status read_entry(bin_reader *r, const char *name, uint8_t **data, size_t *len) {
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat(r->za, name, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE))
        return attn_fail(ATTN_E_FORMAT, "%s: missing archive entry %s", r->path, name);
    if (st.size > SIZE_MAX - 1) return attn_fail(ATTN_E_FORMAT, "%s: entry %s too large", r->path, name);
    uint8_t *buf = malloc((size_t)st.size + 1);
    if (!buf) return attn_fail(ATTN_E_NOMEM, "%s: cannot allocate %llu bytes for %s", r->path, (unsigned long long)st.size, name);
    zip_file_t *zf = zip_fopen(r->za, name, 0);
    zip_int64_t got = zf ? zip_fread(zf, buf, st.size) : -1;
    if (zf) zip_fclose(zf);
    if (got < 0 || (zip_uint64_t)got != st.size) {
        free(buf);
        return attn_fail(ATTN_E_FORMAT, "%s: cannot read archive entry %s (truncated or corrupt)", r->path, name);
    }
    *data = buf;
    *len = (size_t)st.size;
    return ATTN_OK;
}

static attn_status load_storage(bin_reader *r, const value *sv, loaded_storage **out) {
    for (size_t i = 0; i < r->nstorages; i++) {
        loaded_storage *ls = &r->storages[i];
        if (ls->keylen == sv->u.storage.keylen && memcmp(ls->key, sv->u.storage.key, ls->keylen) == 0) {
            if (ls->dtype != sv->u.storage.dtype)
                return attn_fail(ATTN_E_FORMAT, "%s: storage %.*s used with two dtypes", r->path, (int)ls->keylen, ls->key);
            *out = ls;
            return ATTN_OK;
        }
    }
    char *name = attn_asprintf("%s/data/%.*s", r->prefix, (int)sv->u.storage.keylen, sv->u.storage.key);
    if (!name) return attn_fail(ATTN_E_NOMEM, "out of memory");
    uint8_t *data;
    size_t len;
    attn_status s = read_entry(r, name, &data, &len);
    if (!s && !tensor_set_own(r->ts, data)) s = attn_fail(ATTN_E_NOMEM, "out of memory");
    size_t esz = attn_dtype_size(sv->u.storage.dtype);
    if (!s && ((uint64_t)sv->u.storage.numel > len / esz))
        s = attn_fail(ATTN_E_FORMAT, "%s: storage %s holds %zu bytes, the pickle says %lld elements of %zu bytes",
                      r->path, name, len, (long long)sv->u.storage.numel, esz);
    free(name);
    if (s) return s;
    if (!attn_grow((void **)&r->storages, &r->capstorages, r->nstorages + 1, sizeof *r->storages))
        return attn_fail(ATTN_E_NOMEM, "out of memory");
    loaded_storage *ls = &r->storages[r->nstorages++];
    ls->key = sv->u.storage.key;
    ls->keylen = sv->u.storage.keylen;
    ls->dtype = sv->u.storage.dtype;
    ls->data = data;
    ls->nbytes = (size_t)sv->u.storage.numel * esz;
    *out = ls;
    return ATTN_OK;
}

/* A view into the storage when it is laid out row-major; otherwise a gathered copy. */
static attn_status add_tensor(bin_reader *r, const char *name, const value *tv) {
    loaded_storage *ls = NULL;
    attn_status s = load_storage(r, tv->u.tensor.storage, &ls);
    if (s) return s;
    const int ndim = tv->u.tensor.ndim;
    const int64_t *size = tv->u.tensor.size, *stride = tv->u.tensor.stride, offset = tv->u.tensor.offset;
    const size_t esz = attn_dtype_size(ls->dtype), storage_numel = ls->nbytes / esz;
    int64_t numel = 1, last = offset, want_stride = 1;
    int contiguous = 1;
    if (offset < 0) return attn_fail(ATTN_E_FORMAT, "%s: tensor \"%s\" has a negative storage offset", r->path, name);
    for (int d = ndim - 1; d >= 0; d--) {
        if (size[d] < 0 || stride[d] < 0)
            return attn_fail(ATTN_E_FORMAT, "%s: tensor \"%s\" has a negative size or stride", r->path, name);
        if (size[d] && numel > INT64_MAX / size[d]) return attn_fail(ATTN_E_FORMAT, "%s: tensor \"%s\" is too large", r->path, name);
        numel *= size[d];
        if (size[d] > 1) {
            if (stride[d] && size[d] - 1 > (INT64_MAX - last) / stride[d])
                return attn_fail(ATTN_E_FORMAT, "%s: tensor \"%s\" is too large", r->path, name);
            last += (size[d] - 1) * stride[d];
            if (stride[d] != want_stride) contiguous = 0;
        }
        want_stride *= size[d] ? size[d] : 1;
    }
    if (numel > 0 && (uint64_t)last >= storage_numel)
        return attn_fail(ATTN_E_FORMAT, "%s: tensor \"%s\" reaches past the end of its storage", r->path, name);
    attn_tensor *t = tensor_set_add(r->ts, name);
    if (!t) return attn_fail(ATTN_E_NOMEM, "out of memory");
    t->dtype = ls->dtype;
    t->ndim = ndim;
    memcpy(t->shape, size, (size_t)ndim * sizeof *size);
    t->nbytes = (size_t)numel * esz;
    t->file = r->file;
    if (contiguous || numel == 0) {
        t->data = ls->data + (numel ? (size_t)offset * esz : 0);
        return ATTN_OK;
    }
    uint8_t *copy = malloc(t->nbytes);
    if (!copy || !tensor_set_own(r->ts, copy)) return attn_fail(ATTN_E_NOMEM, "out of memory");
    int64_t idx[ATTN_MAX_DIMS] = {0};
    for (int64_t i = 0; i < numel; i++) {
        int64_t src = offset;
        for (int d = 0; d < ndim; d++) src += idx[d] * stride[d];
        memcpy(copy + (size_t)i * esz, ls->data + (size_t)src * esz, esz);
        for (int d = ndim - 1; d >= 0; d--) {
            if (++idx[d] < size[d]) break;
            idx[d] = 0;
        }
    }
    t->data = copy;
    return ATTN_OK;
}

/* Parses a state-dict pickle. On success *root is a dict of name -> tensor (owned by vm). */
static attn_status parse_state_dict(pickle_vm *vm, const char *path, const uint8_t *data, size_t len, value **root) {
    memset(vm, 0, sizeof *vm);
    vm->path = path;
    vm->start = vm->p = data;
    vm->end = data + len;
    attn_status s = vm_run(vm, root);
    if (s) return s;
    if ((*root)->kind != V_DICT) return attn_fail(ATTN_E_FORMAT, "%s: pickle: the top object is not a dict", path);
    value *d = *root;
    for (size_t i = 0; i + 1 < d->u.seq.n; i += 2) {
        value *k = d->u.seq.items[i], *v = d->u.seq.items[i + 1];
        if (k->kind != V_STR || k->u.str.len == 0 || memchr(k->u.str.s, 0, k->u.str.len))
            return attn_fail(ATTN_E_FORMAT, "%s: pickle: a state dict key is not a string", path);
        if (v->kind != V_TENSOR)
            return attn_fail(ATTN_E_FORMAT, "%s: pickle: entry \"%.*s\" is not a tensor", path,
                             (int)(k->u.str.len > 200 ? 200 : k->u.str.len), k->u.str.s);
    }
    return ATTN_OK;
}

/* For the fuzzer: runs the pickle machine alone. */
attn_status torch_bin_check_pickle(const uint8_t *data, size_t len);
attn_status torch_bin_check_pickle(const uint8_t *data, size_t len) {
    pickle_vm vm;
    value *root;
    attn_status s = parse_state_dict(&vm, "<pickle>", data, len, &root);
    vm_free(&vm);
    return s;
}

/* The archive's single "<prefix>/data.pkl". */
static attn_status find_prefix(bin_reader *r) {
    zip_int64_t n = zip_get_num_entries(r->za, 0);
    for (zip_int64_t i = 0; i < n; i++) {
        const char *name = zip_get_name(r->za, (zip_uint64_t)i, 0);
        if (!name) continue;
        const char *slash = strchr(name, '/');
        if (slash && slash != name && strcmp(slash, "/data.pkl") == 0) {
            if (r->prefix) return attn_fail(ATTN_E_FORMAT, "%s: several data.pkl entries", r->path);
            r->prefix = attn_strndup(name, (size_t)(slash - name));
            if (!r->prefix) return attn_fail(ATTN_E_NOMEM, "out of memory");
        }
    }
    if (!r->prefix) return attn_fail(ATTN_E_FORMAT, "%s: zip archive without <name>/data.pkl: not a torch.save file", r->path);
    return ATTN_OK;
}

static attn_status check_byteorder(bin_reader *r) {
    char *name = attn_asprintf("%s/byteorder", r->prefix);
    if (!name) return attn_fail(ATTN_E_NOMEM, "out of memory");
    attn_status s = ATTN_OK;
    if (zip_name_locate(r->za, name, 0) >= 0) {
        uint8_t *data = NULL;
        size_t len = 0;
        s = read_entry(r, name, &data, &len);
        if (!s && !(len == 6 && memcmp(data, "little", 6) == 0))
            s = attn_fail(ATTN_E_UNSUPPORTED, "%s: big-endian checkpoints are not supported", r->path);
        free(data);
    }
    free(name);
    return s;
}

static attn_status check_magic(const char *path) {
    if (!attn_file_exists(path)) return attn_fail(ATTN_E_IO, "%s: not a regular file", path); /* a FIFO would block */
    FILE *f = fopen(path, "rb");
    if (!f) return attn_fail(ATTN_E_IO, "%s: cannot open", path);
    uint8_t m[4] = {0};
    size_t got = fread(m, 1, 4, f);
    fclose(f);
    if (got == 4 && memcmp(m, "PK\x03\x04", 4) == 0) return ATTN_OK;
    if (got >= 2 && m[0] == 0x80 && m[1] <= 5)
        return attn_fail(ATTN_E_UNSUPPORTED,
                         "%s: legacy (torch < 1.6) checkpoint format is not supported; re-save it with a newer "
                         "torch or convert it to safetensors", path);
    return attn_fail(ATTN_E_FORMAT, "%s: not a torch.save zip archive", path);
}

attn_status torch_bin_load(attn_tensor_set *ts, const char *path) {
    attn_status s = check_magic(path);
    if (s) return s;
    bin_reader r = {.path = path, .ts = ts};
    int zerr = 0;
    r.za = zip_open(path, ZIP_RDONLY, &zerr);
    if (!r.za) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, zerr);
        s = attn_fail(ATTN_E_FORMAT, "%s: not a readable zip archive (truncated or corrupt): %s", path, zip_error_strerror(&ze));
        zip_error_fini(&ze);
        return s;
    }
    r.file = tensor_set_add_file(ts, path);
    uint8_t *pkl = NULL;
    size_t pkl_len = 0;
    pickle_vm vm;
    memset(&vm, 0, sizeof vm);
    value *root = NULL;
    if (!r.file) s = attn_fail(ATTN_E_NOMEM, "out of memory");
    if (!s) s = find_prefix(&r);
    if (!s) s = check_byteorder(&r);
    char *pkl_name = s ? NULL : attn_asprintf("%s/data.pkl", r.prefix);
    if (!s && !pkl_name) s = attn_fail(ATTN_E_NOMEM, "out of memory");
    if (!s) s = read_entry(&r, pkl_name, &pkl, &pkl_len);
    if (!s) s = parse_state_dict(&vm, path, pkl, pkl_len, &root);
    for (size_t i = 0; !s && i + 1 < root->u.seq.n; i += 2) {
        const value *k = root->u.seq.items[i];
        char *name = attn_strndup(k->u.str.s, k->u.str.len);
        if (!name) { s = attn_fail(ATTN_E_NOMEM, "out of memory"); break; }
        if (tensor_set_find(ts, name)) s = attn_fail(ATTN_E_FORMAT, "%s: tensor \"%s\" appears twice", path, name);
        else s = add_tensor(&r, name, root->u.seq.items[i + 1]);
        free(name);
    }
    vm_free(&vm);
    free(pkl);
    free(pkl_name);
    free(r.prefix);
    free(r.storages);
    zip_discard(r.za);
    return s;
}
