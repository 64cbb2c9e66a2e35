/* SPDX-License-Identifier: MIT */
#include "shared/hashmap.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct Entry {
        char *key;      /* NULL = empty slot */
        uint64_t hash;
        void *value;
} Entry;

struct Hashmap {
        Entry *slots;
        size_t n_slots;   /* power of two */
        size_t n_used;
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
        return h;
}

int hashmap_new(void (*free_value)(void *), Hashmap **ret) {
        Hashmap *h = calloc(1, sizeof(*h));

        if (!h)
                return -ENOMEM;
        h->n_slots = 16;
        h->slots = calloc(h->n_slots, sizeof(Entry));
        if (!h->slots) {
                free(h);
                return -ENOMEM;
        }
        h->free_value = free_value;
        *ret = h;
        return 0;
}

Hashmap *hashmap_free(Hashmap *h) {
        if (!h)
                return NULL;
        for (size_t i = 0; i < h->n_slots; i++) {
                if (!h->slots[i].key)
                        continue;
                free(h->slots[i].key);
                if (h->free_value)
                        h->free_value(h->slots[i].value);
        }
        free(h->slots);
        free(h);
        return NULL;
}

static Entry *find_slot(Entry *slots, size_t n_slots, const char *key, uint64_t hash) {
        size_t mask = n_slots - 1;

        for (size_t i = hash & mask;; i = (i + 1) & mask)
                if (!slots[i].key || (slots[i].hash == hash && strcmp(slots[i].key, key) == 0))
                        return &slots[i];
}

static int grow(Hashmap *h) {
        size_t n = h->n_slots * 2;
        Entry *slots = calloc(n, sizeof(Entry));

        if (!slots)
                return -ENOMEM;
        for (size_t i = 0; i < h->n_slots; i++)
                if (h->slots[i].key)
                        *find_slot(slots, n, h->slots[i].key, h->slots[i].hash) = h->slots[i];
        free(h->slots);
        h->slots = slots;
        h->n_slots = n;
        return 0;
}

int hashmap_put(Hashmap *h, const char *key, void *value) {
        uint64_t hash = hash_string(key);
        Entry *e;

        /* Keep the load factor under 1/2 so probe chains stay short. */
        if ((h->n_used + 1) * 2 > h->n_slots) {
                int r = grow(h);
                if (r < 0)
                        return r;
        }
        e = find_slot(h->slots, h->n_slots, key, hash);
        if (e->key) {
                if (h->free_value && e->value != value)
                        h->free_value(e->value);
                e->value = value;
                return 0;
        }
        e->key = strdup(key);
        if (!e->key)
                return -ENOMEM;
        e->hash = hash;
        e->value = value;
        h->n_used++;
        return 0;
}

void *hashmap_get(const Hashmap *h, const char *key) {
        const Entry *e;

        if (!h)
                return NULL;
        e = find_slot(h->slots, h->n_slots, key, hash_string(key));
        return e->key ? e->value : NULL;
}

bool hashmap_remove(Hashmap *h, const char *key) {
        size_t mask = h->n_slots - 1, i, j;
        Entry *e = find_slot(h->slots, h->n_slots, key, hash_string(key));

        if (!e->key)
                return false;
        free(e->key);
        if (h->free_value)
                h->free_value(e->value);
        *e = (Entry) {};
        h->n_used--;

        /* Backward-shift deletion keeps every probe chain unbroken without tombstones. */
        i = (size_t) (e - h->slots);
        for (j = (i + 1) & mask; h->slots[j].key; j = (j + 1) & mask) {
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

size_t hashmap_size(const Hashmap *h) {
        return h ? h->n_used : 0;
}

int hashmap_foreach(const Hashmap *h, int (*fn)(const char *key, void *value, void *userdata), void *userdata) {
        for (size_t i = 0; h && i < h->n_slots; i++) {
                if (!h->slots[i].key)
                        continue;
                int r = fn(h->slots[i].key, h->slots[i].value, userdata);
                if (r < 0)
                        return r;
        }
        return 0;
}
