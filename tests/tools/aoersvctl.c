// SPDX-License-Identifier: GPL-2.0
/*
 * aoersvctl: another host's view of a target's reserve list (AoE command
 * 3), from a raw socket, for the reservation tests: the host the driver
 * under test must yield to, or take over from.
 *
 *   aoersvctl IFACE SHELF.SLOT read|set|force|release|ata-read
 *
 * set and force put IFACE's MAC on the list, release sets it empty (set
 * with no MACs), read only asks; ata-read reads sector 0 with an ATA
 * command, to see whether the target serves this host. The target is found
 * with a config query to the broadcast address. Tags have bit 31 set, as
 * user-space AoE tools' do, so an initiator on the same segment ignores
 * the answers.
 *
 * Prints the answer ("list: MAC..." or "ata: ok" or "error N") and exits
 * 0 for an answer without error, 6 for AoE error 6 (reserved), 1 for any
 * other error or no answer within 2 s per try (3 tries).
 */
#include "aoewire.h"

#define RSV_OFF_RCMD	24
#define RSV_OFF_NMACS	25
#define RSV_OFF_MACS	26
#define TRIES		3
#define WAIT_MS		2000

enum { RCMD_READ, RCMD_SET, RCMD_FORCE };

static uint32_t tag_seq;

static uint32_t next_tag(void)
{
	return AW_TAG_USER | (uint32_t)(getpid() << 8) | (++tag_seq & 0xff);
}

/* Send @f (@len bytes) and wait for the answer with its tag into @rsp. */
static ssize_t ask(struct aw_sock *s, uint8_t *f, size_t len, uint8_t *rsp)
{
	uint32_t tag = aw_get32(f + AW_OFF_TAG);
	int t;

	if (len < AW_ETH_ZLEN) {
		memset(f + len, 0, AW_ETH_ZLEN - len);
		len = AW_ETH_ZLEN;
	}
	for (t = 0; t < TRIES; t++) {
		uint64_t end = aw_now_us() + WAIT_MS * 1000ull;

		if (aw_send(s, f, len))
			aw_die("send: %s", strerror(errno));
		while (aw_now_us() < end) {
			ssize_t n = aw_recv(s, rsp, WAIT_MS);

			if (n < 0)
				aw_die("recv: %s", strerror(errno));
			if (n >= AW_HDR_END && (rsp[AW_OFF_VERFL] & AW_FL_RSP) &&
			    aw_get32(rsp + AW_OFF_TAG) == tag)
				return n;
		}
	}
	return 0;
}

static void find_target(struct aw_sock *s, uint16_t shelf, uint8_t slot,
			uint8_t *mac, uint8_t *f, uint8_t *rsp)
{
	memset(f, 0, AW_CFG_END);
	aw_hdr(f, aw_bcast, s->mac, AW_VER << 4, 0, shelf, slot, AW_CMD_CFG,
	       next_tag());
	f[AW_OFF_CCMD] = AW_VER << 4;
	if (ask(s, f, AW_CFG_END, rsp) <= 0)
		aw_die("no target answers for e%u.%u on %s", shelf, slot,
		       s->ifname);
	memcpy(mac, rsp + AW_OFF_SRC, 6);
}

static int report(const uint8_t *rsp, ssize_t n, bool ata)
{
	char buf[20];
	int i, nm;

	if (n <= 0) {
		printf("no answer\n");
		return 1;
	}
	if (rsp[AW_OFF_VERFL] & AW_FL_ERR) {
		printf("error %u\n", rsp[AW_OFF_ERR]);
		return rsp[AW_OFF_ERR] == 6 ? 6 : 1;
	}
	if (ata) {
		printf("ata: %s\n", rsp[AW_OFF_CMDSTAT] & AW_ST_ERR ?
		       "failed" : "ok");
		return rsp[AW_OFF_CMDSTAT] & AW_ST_ERR ? 1 : 0;
	}
	nm = n > RSV_OFF_NMACS ? rsp[RSV_OFF_NMACS] : 0;
	if (n < RSV_OFF_MACS + 6 * nm)
		aw_die("answer too short for its %d MACs", nm);
	printf("list:");
	for (i = 0; i < nm; i++)
		printf(" %s", aw_mac_str(rsp + RSV_OFF_MACS + 6 * i, buf));
	printf("\n");
	return 0;
}

int main(int argc, char **argv)
{
	static uint8_t f[AW_FRAME_MAX], rsp[AW_FRAME_MAX];
	const char *op;
	struct aw_sock s;
	uint8_t mac[6];
	uint16_t shelf;
	uint8_t slot;
	size_t len;
	bool ata;

	aw_prog = "aoersvctl";
	if (argc != 4 || aw_parse_addr(argv[2], &shelf, &slot))
		aw_die("usage: aoersvctl IFACE SHELF.SLOT read|set|force|release|ata-read");
	op = argv[3];
	aw_open(&s, argv[1]);
	find_target(&s, shelf, slot, mac, f, rsp);
	ata = !strcmp(op, "ata-read");
	memset(f, 0, AW_ATA_END);
	aw_hdr(f, mac, s.mac, AW_VER << 4, 0, shelf, slot,
	       ata ? AW_CMD_ATA : AW_CMD_RESERVE, next_tag());
	if (ata) {
		f[AW_OFF_SCNT] = 1;
		f[AW_OFF_CMDSTAT] = AW_ATA_READ;
		f[AW_OFF_LBA + 3] = 0xe0;
		len = AW_ATA_END;
	} else if (!strcmp(op, "read") || !strcmp(op, "release")) {
		f[RSV_OFF_RCMD] = strcmp(op, "read") ? RCMD_SET : RCMD_READ;
		len = RSV_OFF_MACS;
	} else if (!strcmp(op, "set") || !strcmp(op, "force")) {
		f[RSV_OFF_RCMD] = op[0] == 's' ? RCMD_SET : RCMD_FORCE;
		f[RSV_OFF_NMACS] = 1;
		memcpy(f + RSV_OFF_MACS, s.mac, 6);
		len = RSV_OFF_MACS + 6;
	} else {
		aw_die("unknown operation %s", op);
	}
	return report(rsp, ask(&s, f, len, rsp), ata);
}
