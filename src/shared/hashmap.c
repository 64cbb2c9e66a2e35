/* SPDX-License-Identifier: MIT */
#include "shared/hashmap.h"

#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* 24 bytes a slot: a policy of 10,000 names keeps 32,768 of them. */
typedef struct Entry {
        union {
                char *key;      /* string maps */
                uint64_t ikey;  /* integer maps */
        };
        uint64_t hash;          /* 0: an empty slot; else the key's hash, HASH_USED set */
        void *value;
} Entry;

/* The top bit: slot indexes take the low bits, so marking it costs no spread. */
#define HASH_USED (UINT64_C(1) << 63)

static bool entry_used(const Entry *e) {
        return e->hash != 0;
}

struct Hashmap {
        Entry *slots;
        size_t n_slots;   /* power of two */
        size_t n_used;
        bool u64_keys;
        void (*free_value)(void *);
};

/* FNV-1a: short keys (process names), no adversary can choose collisions that
 * matter more than a policy author already can. */
static uint64_t hash_string(const char *s) {
        uint64_t h = 0xcbf29ce484222325ULL;

        for (; *s; s++) {
                h ^= (unsigned char) *s;
                h *= 0x100000001b3ULL;
        }
        return h | HASH_USED;
}

/* Fibonacci hashing with the high half folded in: PIDs come in runs, and the
 * slot index takes the low bits. */
static uint64_t hash_u64(uint64_t k) {
        uint64_t h = k * 0x9e3779b97f4a7c15ULL;

        return (h ^ (h >> 32)) | HASH_USED;
}

static int map_new(bool u64_keys, void (*free_value)(void *), Hashmap **ret) {
        Hashmap *h;

        assert(ret);
        h = calloc(1, sizeof(*h));
        if (!h)
                return -ENOMEM;
        h->n_slots = 16;
        h->slots = calloc(h->n_slots, sizeof(Entry));
        if (!h->slots) {
                free(h);
                return -ENOMEM;
        }
        h->u64_keys = u64_keys;
        h->free_value = free_value;
        *ret = h;
        return 0;
}

int hashmap_new(void (*free_value)(void *), Hashmap **ret) {
        return map_new(false, free_value, ret);
}

int hashmap_new_u64(void (*free_value)(void *), Hashmap **ret) {
        return map_new(true, free_value, ret);
}

Hashmap *hashmap_free(Hashmap *h) {
        if (!h)
                return NULL;
        for (size_t i = 0; i < h->n_slots; i++) {
                if (!entry_used(&h->slots[i]))
                        continue;
                if (!h->u64_keys)
                        free(h->slots[i].key);
                if (h->free_value)
                        h->free_value(h->slots[i].value);
        }
        free(h->slots);
        free(h);
        return NULL;
}

static bool entry_has_key(const Entry *e, const char *key, uint64_t ikey, uint64_t hash) {
        return e->hash == hash && (key ? strcmp(e->key, key) == 0 : e->ikey == ikey);
}

/* key == NULL: an integer map, looked up by ikey. */
static Entry *find_slot(Entry *slots, size_t n_slots, const char *key, uint64_t ikey, uint64_t hash) {
        size_t mask = n_slots - 1;

        for (size_t i = hash & mask;; i = (i + 1) & mask)
                if (!entry_used(&slots[i]) || entry_has_key(&slots[i], key, ikey, hash))
                        return &slots[i];
}

static int grow(Hashmap *h) {
        size_t n = h->n_slots * 2;
        Entry *slots = calloc(n, sizeof(Entry));

        if (!slots)
                return -ENOMEM;
        for (size_t i = 0; i < h->n_slots; i++)
                if (entry_used(&h->slots[i]))
                        *find_slot(slots, n, h->u64_keys ? NULL : h->slots[i].key, h->slots[i].ikey,
                                   h->slots[i].hash) = h->slots[i];
        free(h->slots);
        h->slots = slots;
        h->n_slots = n;
        return 0;
}

static int put(Hashmap *h, const char *key, uint64_t ikey, uint64_t hash, void *value) {
        Entry *e;

        /* Keep the load factor under 1/2 so probe chains stay short. */
        if ((h->n_used + 1) * 2 > h->n_slots) {
                int r = grow(h);
                if (r < 0)
                        return r;
        }
        e = find_slot(h->slots, h->n_slots, key, ikey, hash);
        if (entry_used(e)) {
                if (h->free_value && e->value != value)
                        h->free_value(e->value);
                e->value = value;
                return 0;
        }
        if (key) {
                e->key = strdup(key);
                if (!e->key)
                        return -ENOMEM;
        } else
                e->ikey = ikey;
        e->hash = hash;
        e->value = value;
        h->n_used++;
        return 0;
}

int hashmap_put(Hashmap *h, const char *key, void *value) {
        assert(h && !h->u64_keys && key);
        return put(h, key, 0, hash_string(key), value);
}

int hashmap_put_u64(Hashmap *h, uint64_t key, void *value) {
        assert(h && h->u64_keys);
        return put(h, NULL, key, hash_u64(key), value);
}

void *hashmap_get(const Hashmap *h, const char *key) {
        const Entry *e;

        if (!h)
                return NULL;
        assert(!h->u64_keys && key);
        e = find_slot(h->slots, h->n_slots, key, 0, hash_string(key));
        return entry_used(e) ? e->value : NULL;
}

void *hashmap_get_u64(const Hashmap *h, uint64_t key) {
        const Entry *e;

        if (!h)
                return NULL;
        assert(h->u64_keys);
        e = find_slot(h->slots, h->n_slots, NULL, key, hash_u64(key));
        return entry_used(e) ? e->value : NULL;
}

static bool remove_entry(Hashmap *h, Entry *e) {
        size_t mask = h->n_slots - 1, i, j;

        if (!entry_used(e))
                return false;
        if (!h->u64_keys)
                free(e->key);
        if (h->free_value)
                h->free_value(e->value);
        *e = (Entry) {};
        h->n_used--;

        /* Backward-shift deletion keeps every probe chain unbroken without tombstones. */
        i = (size_t) (e - h->slots);
        for (j = (i + 1) & mask; entry_used(&h->slots[j]); j = (j + 1) & mask) {
                size_t home = h->slots[j].hash & mask;

                /* Move j into the hole i unless its home lies cyclically in (i, j]. */
                if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
                        h->slots[i] = h->slots[j];
                        h->slots[j] = (Entry) {};
                        i = j;
                }
        }
        return true;
}

bool hashmap_remove(Hashmap *h, const char *key) {
        assert(h && !h->u64_keys && key);
        return remove_entry(h, find_slot(h->slots, h->n_slots, key, 0, hash_string(key)));
}

bool hashmap_remove_u64(Hashmap *h, uint64_t key) {
        assert(h && h->u64_keys);
        return remove_entry(h, find_slot(h->slots, h->n_slots, NULL, key, hash_u64(key)));
}

size_t hashmap_size(const Hashmap *h) {
        return h ? h->n_used : 0;
}

int hashmap_foreach(const Hashmap *h, int (*fn)(const char *key, void *value, void *userdata), void *userdata) {
        assert(fn);
        for (size_t i = 0; h && i < h->n_slots; i++) {
                if (!entry_used(&h->slots[i]))
                        continue;
                assert(!h->u64_keys);
                int r = fn(h->slots[i].key, h->slots[i].value, userdata);
                if (r < 0)
                        return r;
        }
        return 0;
}

int hashmap_foreach_u64(const Hashmap *h, int (*fn)(uint64_t key, void *value, void *userdata), void *userdata) {
        assert(fn);
        for (size_t i = 0; h && i < h->n_slots; i++) {
                if (!entry_used(&h->slots[i]))
                        continue;
                assert(h->u64_keys);
                int r = fn(h->slots[i].ikey, h->slots[i].value, userdata);
                if (r < 0)
                        return r;
        }
        return 0;
}
