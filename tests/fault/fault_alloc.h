/* fault_alloc.h — the n-th allocation fails (see fault_alloc.c). */
#ifndef ATTN_FAULT_ALLOC_H
#define ATTN_FAULT_ALLOC_H

/* Resets the count; from now on allocation number n (from 1) fails, once. 0 = never. */
void fault_alloc_at(long n);
/* Allocations counted since the last fault_alloc_at. */
long fault_alloc_calls(void);

#endif
