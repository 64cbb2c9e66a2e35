/* SPDX-License-Identifier: MIT */
#pragma once

#include <json-c/json.h>

/* A JSON string, or JSON null (NULL) when s is NULL. Bytes that are not UTF-8
 * (a process name cut inside a character, say) become U+FFFD, so that every
 * document we write is valid JSON for strict parsers. */
json_object *json_string_new(const char *s);
