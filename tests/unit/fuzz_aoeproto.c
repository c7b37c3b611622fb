// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for aoeproto.c: every input goes to each parser that
 * sees bytes from the network or from user space, and the results are
 * checked against what the parsers promise. ASan and UBSan catch reads
 * outside the input (libFuzzer hands over an exact-size heap copy).
 *
 * The same bytes also drive the round-trip estimator and the window, read
 * as a sequence of 32-bit samples and operations.
 */
#include <stdio.h>
#include <stdlib.h>
#include "aoeproto.h"

#define FUZZ_ASSERT(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: invariant failed: %s\n",	\
			__FILE__, __LINE__, #cond);			\
		abort();						\
	}								\
} while (0)

static void fuzz_rsp(const u8 *data, size_t size)
{
	struct aoe_rsp_info ri;
	const struct aoe_hdr *h = (const void *)data;
	int r;

	r = aoe_rsp_check(data, size, &ri);
	FUZZ_ASSERT(r == 0 || r == -EINVAL || r == -EPROTO || r == -EPERM);
	if (r)
		return;
	FUZZ_ASSERT(size >= sizeof(struct aoe_hdr));
	/* Version 0 only for a config answer (vblade's announcement). */
	FUZZ_ASSERT((h->verfl >> 4) == AOE_PROTO_VER ||
		    ((h->verfl >> 4) == 0 && h->cmd == AOE_CMD_CFG));
	FUZZ_ASSERT(h->verfl & AOE_HFL_RSP);
	FUZZ_ASSERT(!(ri.tag & AOE_TAG_USER));
	FUZZ_ASSERT(ri.shelf != AOE_BCAST_SHELF && ri.slot != AOE_BCAST_SLOT);
	FUZZ_ASSERT(ri.error <= AOE_ERR_MAX);
	FUZZ_ASSERT(!!ri.error == !!(h->verfl & AOE_HFL_ERR));
	FUZZ_ASSERT(ri.cmd == h->cmd);
	if (size >= AOE_ATA_HLEN)
		(void)aoe_ata_failed((const void *)(data + sizeof(*h)));
}

static void fuzz_cfg(const u8 *data, size_t size)
{
	struct aoe_cfg_info ci;
	int r;

	r = aoe_cfg_parse(data, size, &ci);
	FUZZ_ASSERT(r == 0 || r == -EINVAL || r == -EPROTO);
	if (r)
		return;
	FUZZ_ASSERT(size >= AOE_CFG_HLEN);
	FUZZ_ASSERT(ci.bufcnt >= 1);
	FUZZ_ASSERT(ci.scnt >= 1);
	FUZZ_ASSERT(aoe_frame_sectors(9000, ci.scnt) <= ci.scnt);
}

static void fuzz_ident(const u8 *data, size_t size)
{
	struct aoe_ident_info ii;

	if (size < AOE_IDENT_SIZE)
		return;
	aoe_ident_parse(data, &ii);
	if (!ii.lba48)
		FUZZ_ASSERT(ii.sectors <= ATA_LBA28_MAX + 1);
	else
		FUZZ_ASSERT(ii.sectors <= AOE_LBA48_LIMIT);
}

static void fuzz_name(const u8 *data, size_t size)
{
	char buf[32];
	u16 shelf = 0, s2 = 0;
	u8 slot = 0, l2 = 0;
	int n;

	if (aoe_name_parse((const char *)data, size, &shelf, &slot))
		return;
	FUZZ_ASSERT(shelf != AOE_BCAST_SHELF);
	FUZZ_ASSERT(slot != AOE_BCAST_SLOT);
	/* The canonical name parses back to the same address. */
	n = snprintf(buf, sizeof(buf), "e%u.%u", shelf, slot);
	FUZZ_ASSERT(n > 0 && (size_t)n < sizeof(buf));
	FUZZ_ASSERT(aoe_name_parse(buf, (size_t)n, &s2, &l2) == 0);
	FUZZ_ASSERT(s2 == shelf && l2 == slot);
}

static bool is_sep(char c)
{
	return c == ' ' || c == ',' || c == '\t' || c == '\n' || c == '\0';
}

static void fuzz_iflist(const u8 *data, size_t size)
{
	char (*names)[IFNAMSIZ];
	int max = size ? data[0] % (AOE_MAX_IFLIST + 1) : 0;
	int n, i;
	size_t j, len;

	/* Exactly @max rows, so that a write past them is caught. */
	names = malloc((size_t)(max ? max : 1) * IFNAMSIZ);
	FUZZ_ASSERT(names);
	n = aoe_iflist_parse((const char *)data, size, names, max);
	FUZZ_ASSERT(n == -EINVAL || (n >= 0 && n <= max));
	for (i = 0; i < n; i++) {
		len = strnlen(names[i], IFNAMSIZ);
		FUZZ_ASSERT(len > 0 && len < IFNAMSIZ);
		for (j = 0; j < len; j++)
			FUZZ_ASSERT(!is_sep(names[i][j]));
	}
	free(names);

	/* The full-size call the driver makes */
	names = malloc(AOE_MAX_IFLIST * IFNAMSIZ);
	FUZZ_ASSERT(names);
	n = aoe_iflist_parse((const char *)data, size, names, AOE_MAX_IFLIST);
	FUZZ_ASSERT(n == -EINVAL || (n >= 0 && n <= AOE_MAX_IFLIST));
	free(names);
}

static u32 get32(const u8 *p)
{
	return p[0] | (p[1] << 8) | (p[2] << 16) | ((u32)p[3] << 24);
}

static void fuzz_rtt_win(const u8 *data, size_t size)
{
	struct aoe_rtt r;
	struct aoe_win w;
	u32 rto, v;
	size_t i;

	aoe_rtt_init(&r);
	aoe_win_init(&w, size ? data[0] : 0);
	for (i = 0; i + 4 <= size; i += 4) {
		v = get32(data + i);
		aoe_rtt_sample(&r, v);
		rto = aoe_rtt_rto(&r);
		FUZZ_ASSERT(r.srtt != 0);
		FUZZ_ASSERT(rto >= AOE_RTO_MIN_US && rto <= AOE_RTO_MAX_US);

		switch (v & 3) {
		case 0:
		case 1:
			aoe_win_ack(&w);
			break;
		case 2:
			aoe_win_loss(&w);
			break;
		default:
			if (v & 4)
				aoe_win_undo(&w);
			else
				aoe_win_set_limit(&w, (v >> 3) & 0xff);
			break;
		}
		FUZZ_ASSERT(w.limit >= 1);
		FUZZ_ASSERT(w.cwnd >= 1 && w.cwnd <= w.limit);
	}
}

static void fuzz_rsv(const u8 *data, size_t size)
{
	static const u8 mine[1][ETH_ALEN] = { { 0x52, 0x54, 0, 0xaa, 0xbb, 0xcc } };
	struct aoe_rsv_info ri;
	int r;

	r = aoe_rsv_parse(data, size, mine[0], 1, &ri);
	FUZZ_ASSERT(r == 0 || r == -EINVAL);
	if (r)
		return;
	FUZZ_ASSERT(ri.nmacs <= AOE_RSV_MACS_MAX);
	FUZZ_ASSERT(size >= AOE_RSV_HLEN + ri.nmacs * ETH_ALEN);
	FUZZ_ASSERT(!ri.ours || ri.nmacs > 0);
	if (ri.ours)
		FUZZ_ASSERT(!memcmp(ri.macs[0], mine[0], ETH_ALEN));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_rsp(data, size);
	fuzz_cfg(data, size);
	fuzz_rsv(data, size);
	fuzz_ident(data, size);
	fuzz_name(data, size);
	fuzz_iflist(data, size);
	fuzz_rtt_win(data, size);
	return 0;
}
