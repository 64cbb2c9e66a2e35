/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shared/macro.h"

/* Open-addressing hash table keyed by strings (copied) or by 64-bit integers
 * (hashmap_new_u64(), then only the *_u64 calls). Values are borrowed unless a
 * value destructor is given. */
typedef struct Hashmap Hashmap;

int hashmap_new(void (*free_value)(void *), Hashmap **ret);
int hashmap_new_u64(void (*free_value)(void *), Hashmap **ret);
Hashmap *hashmap_free(Hashmap *h);
DEFINE_TRIVIAL_CLEANUP_FUNC(Hashmap *, hashmap_free);
#define _cleanup_hashmap_ _cleanup_(hashmap_freep)

/* Replaces (and frees) an existing value for the same key. */
int hashmap_put(Hashmap *h, const char *key, void *value);
void *hashmap_get(const Hashmap *h, const char *key);
/* Removes (and frees the value of) key; returns whether it was there. */
bool hashmap_remove(Hashmap *h, const char *key);
size_t hashmap_size(const Hashmap *h);
/* Visits every entry in unspecified order; stops at the first negative return.
 * fn must not add or remove entries. */
int hashmap_foreach(const Hashmap *h, int (*fn)(const char *key, void *value, void *userdata), void *userdata);

/* The same, for a map made by hashmap_new_u64(). */
int hashmap_put_u64(Hashmap *h, uint64_t key, void *value);
void *hashmap_get_u64(const Hashmap *h, uint64_t key);
bool hashmap_remove_u64(Hashmap *h, uint64_t key);
int hashmap_foreach_u64(const Hashmap *h, int (*fn)(uint64_t key, void *value, void *userdata), void *userdata);
