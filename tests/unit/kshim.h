/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the kernel headers give aoeproto.c, for building it unchanged in
 * userspace (unit tests and fuzzer). aoeproto.h includes this file when
 * __KERNEL__ is not defined.
 */
#ifndef AOE_KSHIM_H
#define AOE_KSHIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

/* No sparse here: the bitwise types are plain integers. */
typedef uint16_t __be16;
typedef uint32_t __be32;
typedef uint64_t __be64;
typedef uint16_t __le16;
typedef uint32_t __le32;
typedef uint64_t __le64;

#ifndef __packed
#define __packed __attribute__((__packed__))
#endif

/* As in the kernel: a compile error when @cond is true. */
#define BUILD_BUG_ON(cond) ((void)sizeof(char[1 - 2 * !!(cond)]))

#if !defined(__BYTE_ORDER__) || !defined(__ORDER_LITTLE_ENDIAN__)
#error "kshim.h needs the compiler's __BYTE_ORDER__"
#endif

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
static inline __be16 cpu_to_be16(u16 x) { return __builtin_bswap16(x); }
static inline __be32 cpu_to_be32(u32 x) { return __builtin_bswap32(x); }
static inline __be64 cpu_to_be64(u64 x) { return __builtin_bswap64(x); }
static inline u16 be16_to_cpu(__be16 x) { return __builtin_bswap16(x); }
static inline u32 be32_to_cpu(__be32 x) { return __builtin_bswap32(x); }
static inline u64 be64_to_cpu(__be64 x) { return __builtin_bswap64(x); }
static inline __le16 cpu_to_le16(u16 x) { return x; }
static inline __le32 cpu_to_le32(u32 x) { return x; }
static inline u16 le16_to_cpu(__le16 x) { return x; }
static inline u32 le32_to_cpu(__le32 x) { return x; }
#else
static inline __be16 cpu_to_be16(u16 x) { return x; }
static inline __be32 cpu_to_be32(u32 x) { return x; }
static inline __be64 cpu_to_be64(u64 x) { return x; }
static inline u16 be16_to_cpu(__be16 x) { return x; }
static inline u32 be32_to_cpu(__be32 x) { return x; }
static inline u64 be64_to_cpu(__be64 x) { return x; }
static inline __le16 cpu_to_le16(u16 x) { return __builtin_bswap16(x); }
static inline __le32 cpu_to_le32(u32 x) { return __builtin_bswap32(x); }
static inline u16 le16_to_cpu(__le16 x) { return __builtin_bswap16(x); }
static inline u32 le32_to_cpu(__le32 x) { return __builtin_bswap32(x); }
#endif

#ifndef ETH_ALEN
#define ETH_ALEN	6
#endif
#ifndef ETH_HLEN
#define ETH_HLEN	14
#endif
#ifndef IFNAMSIZ
#define IFNAMSIZ	16
#endif

#define BIT_ULL(n)	(1ULL << (n))

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#endif /* AOE_KSHIM_H */
