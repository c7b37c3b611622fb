// SPDX-License-Identifier: GPL-2.0
/*
 * aoehostile: sends malformed and adversarial AoE frames at an initiator,
 * for robustness tests. Runs on the target side of a link (next to a real
 * target such as vblade) and stops by itself (--count, --duration).
 *
 * Modes (all by default, in this order; --mode picks a comma list):
 *   trunc     frames of every length 14..40 bytes: ATA and config answers
 *             cut short, config answers whose string length overruns
 *   version   answers with AoE version 0, 2 and 15
 *   reqflag   request frames (R clear) and error config answers that look
 *             like answers for new shelf.slot addresses
 *   unknown   ATA answers for shelf.slot addresses nobody asked about
 *   tags      ATA answers with random tags for the real shelf.slot
 *   tag31     answers with tag bit 31 set (user space's), real and new
 *   bcastsrc  answers from broadcast, multicast and all-zero source MACs
 *   ident     serves --serve SHELF.SLOT itself: announces it and answers
 *             the initiator's IDENTIFY with 0 sectors, then with 2^48-1;
 *             reads are answered with zeros, writes accepted
 *   cfgvals   config answers with buffer count 0 and 65535 and sector
 *             count 0 and 255, for the real, the served and new addresses
 *   stale     sniffs the initiator's ATA requests to the real shelf.slot
 *             (it needs I/O running meanwhile) and answers them: late,
 *             twice late, under the tag's previous and next generation,
 *             from a wrong source MAC, with fewer data bytes than asked,
 *             with a sector count that does not match (--stale picks)
 *   flood     config answers for --flood N (default 12000) distinct made-up
 *             shelf.slot pairs from random source MACs
 *
 * The real shelf.slot (--real) and the real target's MAC (--target-mac)
 * are learned from the first requests sniffed if not given (fallbacks: the
 * first address seen is 0.0; the target MAC is this interface's).
 */
#include <getopt.h>
#include <signal.h>

#include "aoewire.h"

enum mode {
	M_TRUNC, M_VERSION, M_REQFLAG, M_UNKNOWN, M_TAGS, M_TAG31, M_BCASTSRC,
	M_IDENT, M_CFGVALS, M_STALE, M_FLOOD, M_NR
};

static const char *const mode_name[M_NR] = {
	"trunc", "version", "reqflag", "unknown", "tags", "tag31", "bcastsrc",
	"ident", "cfgvals", "stale", "flood",
};

/* An ATA request of the initiator's, as sniffed. */
struct sniffed {
	uint8_t hdr[AW_ATA_END];	/* its headers, as sent */
	uint64_t seen_us;
};

/* What mode stale does with a sniffed request, in turn. */
enum stale_kind {
	ST_LATE, ST_TWICE, ST_GEN, ST_WRONGMAC, ST_SHORT, ST_SCNTLESS,
	ST_SCNTMORE, ST_NR
};

static const char *const stale_name[ST_NR] = {
	"late", "twice", "gen", "wrongmac", "short", "scntless", "scntmore",
};

#define RING		512
#define LATE_MAX	4096

/* A late answer waiting for its time. */
struct late {
	uint64_t due_us;
	struct sniffed rq;
	uint32_t tag;
	int copies;
};

static struct {
	struct aw_sock sk;
	uint8_t dst[6];
	uint8_t tmac[6];		/* the real target's MAC */
	bool tmac_known;
	uint16_t rshelf, sshelf;
	uint8_t rslot, sslot;
	bool real_known;
	uint64_t max_count, sent, send_errors;
	uint64_t deadline_us;
	uint64_t flood_n;
	unsigned int sniff_s, learn_ms;
	struct aw_rng rng;
	bool verbose;
	int cur;			/* mode now running */
	uint64_t per_mode[M_NR + 1];	/* [M_NR]: answers as e7.7's target */
	bool stale_open;		/* mode stale reacts to requests */
	/* sniffed requests to the real shelf.slot */
	struct sniffed ring[RING];
	unsigned int ring_n, ring_pos;
	uint64_t sniffed_total;
	/* the served shelf.slot */
	bool serving;
	bool serving_now;		/* emit() counts under "served" */
	uint64_t ident_sizes[4];
	unsigned int n_ident_sizes, ident_next;
	uint64_t served_ident, served_read, served_write, served_other;
	/* late answers (stale mode) */
	struct late late[LATE_MAX];
	unsigned int n_late;
	uint64_t stale_handled;
	uint64_t stale_count[ST_NR];
	unsigned int stale_mask, stale_next;
	bool stop;
	const char *stop_why;
} H = {
	.max_count = 200000,
	.flood_n = 12000,
	.sniff_s = 8,
	.learn_ms = 2000,
	.sshelf = 7,
	.sslot = 7,
	.stale_mask = (1u << ST_NR) - 1,
};

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	(void)sig;
	got_signal = 1;
}

static void usage(int rc)
{
	fprintf(rc ? stderr : stdout,
"usage: aoehostile -i IFACE [options]\n"
"  --dst MAC           the initiator's MAC (default: broadcast)\n"
"  --mode LIST         comma list of modes (default: all):\n"
"                      trunc version reqflag unknown tags tag31 bcastsrc\n"
"                      ident cfgvals stale flood\n"
"  --count N           stop after N frames in all (default 200000)\n"
"  --duration S        stop after S seconds in all (default 50)\n"
"  --seed N            PRNG seed (default 1)\n"
"  --real S.L          the real target's shelf.slot (default: learned)\n"
"  --target-mac MAC    the real target's MAC (default: learned, else this\n"
"                      interface's)\n"
"  --serve S.L         the shelf.slot served in mode ident (default 7.7)\n"
"  --flood N           made-up addresses in mode flood (default 12000)\n"
"  --sniff S           seconds mode stale listens (default 8)\n"
"  --learn MS          ms to listen for requests first (default 2000)\n"
"  --stale LIST        what mode stale does with sniffed requests, in turn\n"
"                      (default all): late twice gen wrongmac short\n"
"                      scntless scntmore\n"
"  -v, --verbose\n");
	exit(rc);
}

/* ------------------------------------------------------------- bounds -- */

static bool out_of_bounds(void)
{
	if (H.stop)
		return true;
	if (got_signal) {
		H.stop = true;
		H.stop_why = "signal";
	} else if (H.sent >= H.max_count) {
		H.stop = true;
		H.stop_why = "--count reached";
	} else if (aw_now_us() >= H.deadline_us) {
		H.stop = true;
		H.stop_why = "--duration reached";
	}
	return H.stop;
}

/* Send one frame (unpadded: the length is what the mode wants). */
static void emit(const uint8_t *f, size_t len)
{
	if (out_of_bounds())
		return;
	if (aw_send(&H.sk, f, len) < 0) {
		if (H.verbose && H.send_errors < 5)
			fprintf(stderr, "aoehostile: send %zu bytes: %s\n", len,
				strerror(errno));
		H.send_errors++;
		return;
	}
	H.sent++;
	H.per_mode[H.serving_now ? M_NR : H.cur]++;
}

/* Pace bursts so that a veth backlog is not simply overrun. */
static void pace(unsigned int every, unsigned int us)
{
	if (H.sent && H.sent % every == 0)
		aw_sleep_us(us);
}

/* --------------------------------------------------------- builders -- */

static void cfg_rsp(uint8_t *f, const uint8_t *src, uint8_t verfl,
		    uint8_t err, uint16_t shelf, uint8_t slot, uint32_t tag,
		    uint16_t bufcnt, uint8_t scnt, uint16_t cslen)
{
	memset(f, 0, AW_CFG_END);
	aw_hdr(f, H.dst, src, verfl, err, shelf, slot, AW_CMD_CFG, tag);
	aw_put16(f + AW_OFF_BUFCNT, bufcnt);
	aw_put16(f + AW_OFF_FWVER, 0x4019);
	f[AW_OFF_CSCNT] = scnt;
	f[AW_OFF_CCMD] = AW_VER << 4;
	aw_put16(f + AW_OFF_CSLEN, cslen);
}

/* ATA answer header: status OK, echoing @rq's argument if given. */
static void ata_rsp(uint8_t *f, const uint8_t *src, uint8_t verfl,
		    uint16_t shelf, uint8_t slot, uint32_t tag,
		    const uint8_t *rq)
{
	memset(f, 0, AW_ATA_END);
	aw_hdr(f, H.dst, src, verfl, 0, shelf, slot, AW_CMD_ATA, tag);
	if (rq) {
		memcpy(f + AW_OFF_AFLAGS, rq + AW_OFF_AFLAGS,
		       AW_ATA_END - AW_OFF_AFLAGS);
	} else {
		f[AW_OFF_AFLAGS] = AW_AFL_EXT;
		f[AW_OFF_SCNT] = 2;
	}
	f[AW_OFF_CMDSTAT] = AW_ST_OK;
	f[AW_OFF_FEAT] = 0;
}

static const uint8_t *tsrc(void)
{
	return H.tmac;
}

/* A made-up shelf.slot: never the real or the served one, never bcast. */
static void madeup(uint32_t i, uint16_t *shelf, uint8_t *slot)
{
	for (;;) {
		*shelf = (uint16_t)(1000 + i / 250);
		*slot = (uint8_t)(i % 250);
		if (!(*shelf == H.rshelf && *slot == H.rslot) &&
		    !(*shelf == H.sshelf && *slot == H.sslot))
			return;
		i += 250 * 200;
	}
}

/* A tag of the real shelf.slot: a sniffed one if any, else random. */
static uint32_t some_tag(void)
{
	if (H.ring_n) {
		const struct sniffed *s = &H.ring[aw_randn(&H.rng, H.ring_n)];

		return aw_get32(s->hdr + AW_OFF_TAG);
	}
	return (uint32_t)aw_rand(&H.rng) & ~AW_TAG_USER;
}

/* ---------------------------------------------------- the served disk -- */

static unsigned int frame_sectors(void)
{
	int mtu = aw_mtu(&H.sk);

	return mtu > 36 ? (unsigned int)(mtu - 36) / AW_SECTOR : 0;
}

static void serve_cfg(const uint8_t *dst, uint32_t tag)
{
	uint8_t f[AW_ETH_ZLEN];

	memset(f, 0, sizeof(f));
	cfg_rsp(f, H.sk.mac, AW_VER << 4 | AW_FL_RSP, 0, H.sshelf, H.sslot,
		tag, 16, 2, 0);
	memcpy(f + AW_OFF_DST, dst, 6);
	H.serving_now = true;
	emit(f, sizeof(f));
	H.serving_now = false;
}

static void serve_ata(const uint8_t *rq, size_t len)
{
	static uint8_t f[AW_FRAME_MAX];
	unsigned int n = rq[AW_OFF_SCNT];
	size_t olen = AW_ATA_END;
	uint8_t cmd = rq[AW_OFF_CMDSTAT];

	memcpy(f, rq, AW_ATA_END);
	memcpy(f + AW_OFF_DST, rq + AW_OFF_SRC, 6);
	memcpy(f + AW_OFF_SRC, H.sk.mac, 6);
	f[AW_OFF_VERFL] = AW_VER << 4 | AW_FL_RSP;
	f[AW_OFF_CMDSTAT] = AW_ST_OK;
	f[AW_OFF_FEAT] = 0;
	switch (cmd) {
	case AW_ATA_IDENT: {
		uint64_t sz = H.ident_sizes[H.ident_next < H.n_ident_sizes ?
					    H.ident_next : H.n_ident_sizes - 1];
		uint64_t l28 = sz > 0x0fffffff ? 0x0fffffff : sz;
		uint8_t *id = f + AW_ATA_END;
		int i;

		memset(id, 0, AW_SECTOR);
		aw_id_put(id, 0, 0x0040);
		aw_id_str(id, 10, 10, "HOSTILE");
		aw_id_str(id, 23, 4, "evil");
		aw_id_str(id, 27, 20, "aoehostile absurd size");
		aw_id_put(id, 49, 0x0300);
		aw_id_put(id, 60, l28 & 0xffff);
		aw_id_put(id, 61, (l28 >> 16) & 0xffff);
		aw_id_put(id, 83, 0x5400);
		aw_id_put(id, 84, 0x4000);
		aw_id_put(id, 86, 0x1400);
		aw_id_put(id, 87, 0x4000);
		for (i = 0; i < 4; i++)
			aw_id_put(id, 100 + i, (sz >> (16 * i)) & 0xffff);
		olen += AW_SECTOR;
		if (H.verbose)
			fprintf(stderr, "aoehostile: IDENTIFY e%u.%u: %" PRIu64
				" sectors\n", H.sshelf, H.sslot, sz);
		if (H.ident_next < H.n_ident_sizes)
			H.ident_next++;
		H.served_ident++;
		break;
	}
	case AW_ATA_READ:
	case AW_ATA_READ_EXT:
		if (!n || n > frame_sectors()) {
			f[AW_OFF_VERFL] |= AW_FL_ERR;
			f[AW_OFF_ERR] = 2;
			break;
		}
		memset(f + AW_ATA_END, 0, (size_t)n * AW_SECTOR);
		olen += (size_t)n * AW_SECTOR;
		H.served_read++;
		break;
	case AW_ATA_WRITE:
	case AW_ATA_WRITE_EXT:
		if (len < AW_ATA_END + (size_t)n * AW_SECTOR) {
			f[AW_OFF_CMDSTAT] = AW_ST_FAIL;
			f[AW_OFF_FEAT] = AW_ER_ABRT;
		}
		H.served_write++;
		break;
	case AW_ATA_FLUSH:
	case AW_ATA_FLUSH_EXT:
		H.served_other++;
		break;
	default:
		f[AW_OFF_CMDSTAT] = AW_ST_FAIL;
		f[AW_OFF_FEAT] = AW_ER_ABRT;
		H.served_other++;
		break;
	}
	if (olen < AW_ETH_ZLEN)
		olen = AW_ETH_ZLEN;
	/* Serving is not an attack: counted apart from the modes. */
	H.serving_now = true;
	emit(f, olen);
	H.serving_now = false;
}

/* ------------------------------------------------------------ sniffing -- */

static void note_request(const uint8_t *f)
{
	uint16_t shelf = aw_get16(f + AW_OFF_MAJOR);
	uint8_t slot = f[AW_OFF_MINOR];
	struct sniffed *s;

	if (!memcmp(f + AW_OFF_DST, aw_bcast, 6))
		return;
	if (!H.real_known) {
		H.rshelf = shelf;
		H.rslot = slot;
		H.real_known = true;
		if (H.verbose)
			fprintf(stderr, "aoehostile: real target e%u.%u\n",
				shelf, slot);
	}
	if (shelf != H.rshelf || slot != H.rslot)
		return;
	if (!H.tmac_known) {
		memcpy(H.tmac, f + AW_OFF_DST, 6);
		H.tmac_known = true;
	}
	s = &H.ring[H.ring_pos];
	memcpy(s->hdr, f, AW_ATA_END);
	s->seen_us = aw_now_us();
	H.ring_pos = (H.ring_pos + 1) % RING;
	if (H.ring_n < RING)
		H.ring_n++;
	H.sniffed_total++;
}

static void stale_react(const uint8_t *f, size_t len);

/* Handle one received frame: serve, learn, react. */
static void handle(const uint8_t *f, size_t len)
{
	uint16_t shelf;
	uint8_t slot;

	if (len < AW_HDR_END || (f[AW_OFF_VERFL] >> 4) != AW_VER ||
	    (f[AW_OFF_VERFL] & AW_FL_RSP))
		return;
	shelf = aw_get16(f + AW_OFF_MAJOR);
	slot = f[AW_OFF_MINOR];
	if (f[AW_OFF_CMD] == AW_CMD_CFG) {
		if (H.serving && (shelf == H.sshelf || shelf == 0xffff) &&
		    (slot == H.sslot || slot == 0xff))
			serve_cfg(f + AW_OFF_SRC, aw_get32(f + AW_OFF_TAG));
		return;
	}
	if (f[AW_OFF_CMD] != AW_CMD_ATA || len < AW_ATA_END)
		return;
	if (shelf == H.sshelf && slot == H.sslot) {
		if (H.serving)
			serve_ata(f, len);
		return;
	}
	note_request(f);
	if (H.stale_open && shelf == H.rshelf && slot == H.rslot)
		stale_react(f, len);
}

static void send_late_due(void);

/* Receive and handle frames for @ms milliseconds (or until stopped). */
static void pump(unsigned int ms)
{
	static uint8_t buf[AW_FRAME_MAX];
	uint64_t end = aw_now_us() + (uint64_t)ms * 1000u;

	while (!out_of_bounds()) {
		uint64_t now = aw_now_us();
		ssize_t n;
		int t;

		send_late_due();
		if (now >= end)
			break;
		t = (int)((end - now) / 1000u);
		n = aw_recv(&H.sk, buf, t > 20 ? 20 : (t ? t : 1));
		if (n > 0)
			handle(buf, (size_t)n);
	}
}

/* --------------------------------------------------------------- modes -- */

static void mode_trunc(void)
{
	uint8_t f[64];
	uint16_t shelf;
	uint8_t slot;
	unsigned int len, v;
	int i;

	madeup(0, &shelf, &slot);
	for (v = 0; v < 4; v++) {
		for (len = AW_ETH_HLEN; len <= 40; len++) {
			memset(f, 0, sizeof(f));
			switch (v) {
			case 0:	/* ATA answer to the real address */
				ata_rsp(f, tsrc(), AW_VER << 4 | AW_FL_RSP,
					H.rshelf, H.rslot, some_tag(), NULL);
				break;
			case 1:	/* config answer for the real address */
				cfg_rsp(f, tsrc(), AW_VER << 4 | AW_FL_RSP, 0,
					H.rshelf, H.rslot, 0, 16, 2, 0);
				break;
			case 2:	/* config answer for a new address */
				cfg_rsp(f, tsrc(), AW_VER << 4 | AW_FL_RSP, 0,
					shelf, slot, 0, 16, 2, 0);
				break;
			default: /* ATA answer for a new address */
				ata_rsp(f, tsrc(), AW_VER << 4 | AW_FL_RSP,
					shelf, slot, some_tag(), NULL);
				break;
			}
			emit(f, len);
		}
	}
	/* Config answers whose string overruns the frame or the limit. */
	{
		static uint8_t big[AW_CFG_END + AW_CFG_STRMAX + 8];
		static const uint16_t lens[] = { 1, 28, 1024, 1025, 0xffff };

		for (i = 0; i < (int)(sizeof(lens) / sizeof(lens[0])); i++) {
			madeup((uint32_t)(1 + i), &shelf, &slot);
			memset(big, 'x', sizeof(big));
			cfg_rsp(big, tsrc(), AW_VER << 4 | AW_FL_RSP, 0, shelf,
				slot, 0, 16, 2, lens[i]);
			emit(big, AW_CFG_END);		/* no string at all */
			emit(big, AW_ETH_ZLEN);		/* padded */
			if (lens[i] > AW_CFG_STRMAX)	/* over the limit */
				emit(big, sizeof(big));
		}
	}
	/* ATA answers with a data length that is not a sector multiple. */
	for (len = AW_ATA_END + 1; len < AW_ATA_END + 1100; len += 97) {
		static uint8_t g[AW_ATA_END + 1100];

		ata_rsp(g, tsrc(), AW_VER << 4 | AW_FL_RSP, H.rshelf, H.rslot,
			some_tag(), NULL);
		emit(g, len);
	}
}

static void mode_version(void)
{
	static const uint8_t vers[] = { 0, 2, 3, 15 };
	uint8_t f[AW_ATA_END + 1024];
	uint16_t shelf;
	uint8_t slot;
	unsigned int i, k;

	for (i = 0; i < sizeof(vers); i++) {
		for (k = 0; k < 8; k++) {
			madeup(100 + i * 8 + k, &shelf, &slot);
			memset(f, 0, sizeof(f));
			cfg_rsp(f, tsrc(), (uint8_t)(vers[i] << 4 | AW_FL_RSP),
				0, shelf, slot, 0, 16, 2, 0);
			emit(f, AW_ETH_ZLEN);
			cfg_rsp(f, tsrc(), (uint8_t)(vers[i] << 4 | AW_FL_RSP),
				0, H.rshelf, H.rslot, 0, 0, 0, 0);
			emit(f, AW_ETH_ZLEN);
			ata_rsp(f, tsrc(), (uint8_t)(vers[i] << 4 | AW_FL_RSP),
				H.rshelf, H.rslot, some_tag(), NULL);
			emit(f, sizeof(f));
		}
	}
}

static void mode_reqflag(void)
{
	uint8_t f[AW_ATA_END + 1024];
	uint16_t shelf;
	uint8_t slot;
	unsigned int k;

	for (k = 0; k < 32; k++) {
		madeup(200 + k, &shelf, &slot);
		memset(f, 0, sizeof(f));
		/* A config "answer" without the R flag. */
		cfg_rsp(f, tsrc(), AW_VER << 4, 0, shelf, slot, 0, 16, 2, 0);
		emit(f, AW_ETH_ZLEN);
		/* An error answer, which must not create anything. */
		cfg_rsp(f, tsrc(), AW_VER << 4 | AW_FL_RSP | AW_FL_ERR,
			(uint8_t)(1 + k % 6), shelf, slot, 0, 16, 2, 0);
		emit(f, AW_ETH_ZLEN);
		/* An ATA "answer" without the R flag, with a live tag. */
		ata_rsp(f, tsrc(), AW_VER << 4, H.rshelf, H.rslot, some_tag(),
			NULL);
		emit(f, sizeof(f));
		/* Error flag with an unknown code, to a live tag. */
		ata_rsp(f, tsrc(), AW_VER << 4 | AW_FL_RSP | AW_FL_ERR,
			H.rshelf, H.rslot, (uint32_t)aw_rand(&H.rng) & ~AW_TAG_USER,
			NULL);
		f[AW_OFF_ERR] = (uint8_t)(7 + aw_randn(&H.rng, 249));
		emit(f, AW_ETH_ZLEN);
	}
}

static void mode_unknown(void)
{
	uint8_t f[AW_ATA_END + 1024];
	unsigned int k;

	for (k = 0; k < 500 && !out_of_bounds(); k++) {
		uint16_t shelf;
		uint8_t slot;

		madeup(300 + aw_randn(&H.rng, 20000), &shelf, &slot);
		memset(f, 0, sizeof(f));
		ata_rsp(f, tsrc(), AW_VER << 4 | AW_FL_RSP, shelf, slot,
			(uint32_t)aw_rand(&H.rng) & ~AW_TAG_USER, NULL);
		memset(f + AW_ATA_END, 0xa5, 1024);
		emit(f, k % 2 ? sizeof(f) : AW_ETH_ZLEN);
		pace(200, 1000);
	}
}

static void mode_tags(void)
{
	uint8_t f[AW_ATA_END + 1024];
	unsigned int k;

	for (k = 0; k < 2000 && !out_of_bounds(); k++) {
		uint32_t tag = (uint32_t)aw_rand(&H.rng) & ~AW_TAG_USER;

		/* Low index values are the ones in use: favour them. */
		if (k % 2)
			tag = (tag & ~0xffu) | aw_randn(&H.rng, 128);
		memset(f, 0, sizeof(f));
		ata_rsp(f, tsrc(), AW_VER << 4 | AW_FL_RSP, H.rshelf, H.rslot,
			tag, NULL);
		memset(f + AW_ATA_END, 0x5a, 1024);
		emit(f, sizeof(f));
		pace(200, 1000);
	}
}

static void mode_tag31(void)
{
	uint8_t f[AW_ATA_END + 1024];
	uint16_t shelf;
	uint8_t slot;
	unsigned int k;

	for (k = 0; k < 64; k++) {
		madeup(500 + k, &shelf, &slot);
		memset(f, 0, sizeof(f));
		cfg_rsp(f, tsrc(), AW_VER << 4 | AW_FL_RSP, 0, shelf, slot,
			AW_TAG_USER | k, 16, 2, 0);
		emit(f, AW_ETH_ZLEN);
		ata_rsp(f, tsrc(), AW_VER << 4 | AW_FL_RSP, H.rshelf, H.rslot,
			some_tag() | AW_TAG_USER, NULL);
		memset(f + AW_ATA_END, 0x31, 1024);
		emit(f, sizeof(f));
	}
}

static void mode_bcastsrc(void)
{
	static const uint8_t srcs[3][6] = {
		{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
		{ 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 },
		{ 0, 0, 0, 0, 0, 0 },
	};
	uint8_t f[AW_ATA_END + 1024];
	uint16_t shelf;
	uint8_t slot;
	unsigned int k, s;

	for (s = 0; s < 3; s++) {
		for (k = 0; k < 16; k++) {
			madeup(600 + s * 16 + k, &shelf, &slot);
			memset(f, 0, sizeof(f));
			cfg_rsp(f, srcs[s], AW_VER << 4 | AW_FL_RSP, 0, shelf,
				slot, 0, 16, 2, 0);
			emit(f, AW_ETH_ZLEN);
			cfg_rsp(f, srcs[s], AW_VER << 4 | AW_FL_RSP, 0, H.rshelf,
				H.rslot, 0, 1, 2, 0);
			emit(f, AW_ETH_ZLEN);
			ata_rsp(f, srcs[s], AW_VER << 4 | AW_FL_RSP, H.rshelf,
				H.rslot, some_tag(), NULL);
			emit(f, sizeof(f));
		}
	}
}

/*
 * Announce the served address until the initiator's IDENTIFY for it has
 * been answered @want times in all, or @ms pass.
 */
static void ident_round(uint64_t want, unsigned int ms)
{
	uint64_t end = aw_now_us() + (uint64_t)ms * 1000u;

	while (H.served_ident < want && aw_now_us() < end && !out_of_bounds()) {
		serve_cfg(H.dst, 0);
		pump(300);
	}
}

static void mode_ident(void)
{
	H.ident_sizes[0] = 0;
	H.ident_sizes[1] = (1ull << 48) - 1;
	H.n_ident_sizes = 2;
	H.ident_next = 0;
	H.serving = true;
	ident_round(1, 4000);	/* answered with 0 sectors */
	ident_round(2, 4000);	/* answered with 2^48-1 */
	/* Let the initiator scan the huge disk: its reads get zeros. */
	pump(3000);
	if (H.verbose)
		fprintf(stderr, "aoehostile: served e%u.%u: %" PRIu64
			" IDENTIFY, %" PRIu64 " reads, %" PRIu64 " writes\n",
			H.sshelf, H.sslot, H.served_ident, H.served_read,
			H.served_write);
}

static void mode_cfgvals(void)
{
	static const struct { uint16_t bufcnt; uint8_t scnt; } v[] = {
		{ 0, 0 }, { 65535, 255 }, { 0, 255 }, { 65535, 0 },
	};
	uint8_t f[AW_ETH_ZLEN];
	uint16_t shelf;
	uint8_t slot;
	unsigned int i, k;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		memset(f, 0, sizeof(f));
		cfg_rsp(f, tsrc(), AW_VER << 4 | AW_FL_RSP, 0, H.rshelf,
			H.rslot, 0, v[i].bufcnt, v[i].scnt, 0);
		emit(f, sizeof(f));
		cfg_rsp(f, H.sk.mac, AW_VER << 4 | AW_FL_RSP, 0, H.sshelf,
			H.sslot, 0, v[i].bufcnt, v[i].scnt, 0);
		emit(f, sizeof(f));
		for (k = 0; k < 4; k++) {
			madeup(700 + i * 4 + k, &shelf, &slot);
			cfg_rsp(f, tsrc(), AW_VER << 4 | AW_FL_RSP, 0, shelf,
				slot, 0, v[i].bufcnt, v[i].scnt, 0);
			emit(f, sizeof(f));
		}
		pump(200);	/* the real target's traffic goes on meanwhile */
	}
	/* Back to what the real target would say (vblade: 16, 2 at MTU 1500). */
	cfg_rsp(f, tsrc(), AW_VER << 4 | AW_FL_RSP, 0, H.rshelf, H.rslot, 0,
		16, (uint8_t)frame_sectors(), 0);
	emit(f, sizeof(f));
}

/* Build an answer to sniffed request @rq: OK status, zero data if a read. */
static size_t stale_answer(uint8_t *f, const uint8_t *rq, uint32_t tag,
			   const uint8_t *src, int nsect_data)
{
	int most = (int)frame_sectors();
	size_t len = AW_ATA_END;

	/* Never more than a frame can carry (a request may ask for 255). */
	if (most > (AW_FRAME_MAX - AW_ATA_END) / AW_SECTOR)
		most = (AW_FRAME_MAX - AW_ATA_END) / AW_SECTOR;
	if (nsect_data > most)
		nsect_data = most;
	ata_rsp(f, src, AW_VER << 4 | AW_FL_RSP, H.rshelf, H.rslot, tag, rq);
	memcpy(f + AW_OFF_DST, rq + AW_OFF_SRC, 6);
	if (nsect_data > 0) {
		memset(f + AW_ATA_END, 0xee, (size_t)nsect_data * AW_SECTOR);
		len += (size_t)nsect_data * AW_SECTOR;
	}
	return len < AW_ETH_ZLEN ? AW_ETH_ZLEN : len;
}

static bool is_read(const uint8_t *rq)
{
	return rq[AW_OFF_CMDSTAT] == AW_ATA_READ ||
	       rq[AW_OFF_CMDSTAT] == AW_ATA_READ_EXT;
}

static void late_add(const uint8_t *rq, uint32_t tag, unsigned int ms,
		     int copies)
{
	struct late *l;

	if (H.n_late >= LATE_MAX)
		return;
	l = &H.late[H.n_late++];
	memcpy(l->rq.hdr, rq, AW_ATA_END);
	l->due_us = aw_now_us() + (uint64_t)ms * 1000u;
	l->tag = tag;
	l->copies = copies;
}

static void send_late_due(void)
{
	static uint8_t f[AW_FRAME_MAX];
	uint64_t now = aw_now_us();
	unsigned int i = 0;

	while (i < H.n_late) {
		struct late *l = &H.late[i];

		if (l->due_us > now) {
			i++;
			continue;
		}
		{
			const uint8_t *rq = l->rq.hdr;
			int c;
			size_t len = stale_answer(f, rq, l->tag, tsrc(),
						  is_read(rq) ? rq[AW_OFF_SCNT] : 0);

			for (c = 0; c < l->copies; c++)
				emit(f, len);
		}
		H.late[i] = H.late[--H.n_late];
	}
}

/* React to one sniffed request of the real shelf.slot (mode stale). */
static void stale_react(const uint8_t *rq, size_t len)
{
	static uint8_t f[AW_FRAME_MAX];
	uint32_t tag = aw_get32(rq + AW_OFF_TAG);
	unsigned int n = rq[AW_OFF_SCNT];
	uint8_t wrong[6];
	unsigned int k;
	size_t olen;

	(void)len;
	if (!H.stale_mask)
		return;
	do {
		k = H.stale_next++ % ST_NR;
	} while (!(H.stale_mask & (1u << k)));
	H.stale_handled++;
	H.stale_count[k]++;
	switch (k) {
	case ST_LATE:	/* late: after the real target answered */
		late_add(rq, tag, 150 + aw_randn(&H.rng, 200), 1);
		break;
	case ST_TWICE:	/* twice, late */
		late_add(rq, tag, 150 + aw_randn(&H.rng, 200), 2);
		break;
	case ST_GEN:	/* previous and next generation of the tag */
		late_add(rq, ((tag - 0x100) & ~AW_TAG_USER), 50, 1);
		late_add(rq, ((tag + 0x100) & ~AW_TAG_USER), 50, 1);
		break;
	case ST_WRONGMAC: /* now, from a wrong source MAC */
		aw_rand_mac(&H.rng, wrong);
		olen = stale_answer(f, rq, tag, wrong, is_read(rq) ? (int)n : 0);
		emit(f, olen);
		break;
	case ST_SHORT:	/* now, fewer data bytes than asked */
		olen = stale_answer(f, rq, tag, tsrc(), is_read(rq) ? (int)n : 0);
		if (olen > AW_ATA_END + AW_SECTOR)
			olen -= AW_SECTOR;		/* one sector short */
		else if (olen > AW_ATA_END)
			olen = AW_ATA_END + AW_SECTOR / 2;
		else
			olen = AW_ATA_END - 4;		/* header cut short */
		emit(f, olen);
		break;
	case ST_SCNTLESS: /* now, a sector count one less, and that much data */
		olen = stale_answer(f, rq, tag, tsrc(),
				    is_read(rq) && n > 1 ? (int)n - 1 : 0);
		f[AW_OFF_SCNT] = (uint8_t)(n - 1);
		emit(f, olen);
		break;
	default: /* ST_SCNTMORE: now, a sector count one more, the data asked for */
		olen = stale_answer(f, rq, tag, tsrc(), is_read(rq) ? (int)n : 0);
		f[AW_OFF_SCNT] = (uint8_t)(n + 1);
		emit(f, olen);
		break;
	}
}

static void mode_stale(void)
{
	H.stale_open = true;
	pump(H.sniff_s * 1000u);
	H.stale_open = false;
	/* Late answers still queued go out before the mode ends. */
	while (H.n_late && !out_of_bounds())
		pump(50);
}

static void mode_flood(void)
{
	uint8_t f[AW_ETH_ZLEN];
	uint64_t i;

	for (i = 0; i < H.flood_n && !out_of_bounds(); i++) {
		uint8_t src[6];
		uint16_t shelf;
		uint8_t slot;

		madeup((uint32_t)(2000 + i), &shelf, &slot);
		aw_rand_mac(&H.rng, src);
		memset(f, 0, sizeof(f));
		cfg_rsp(f, src, AW_VER << 4 | AW_FL_RSP, 0, shelf, slot,
			(uint32_t)i, 16, 2, 0);
		emit(f, sizeof(f));
		pace(100, 2000);
	}
}

static void (*const mode_fn[M_NR])(void) = {
	mode_trunc, mode_version, mode_reqflag, mode_unknown, mode_tags,
	mode_tag31, mode_bcastsrc, mode_ident, mode_cfgvals, mode_stale,
	mode_flood,
};

/* ---------------------------------------------------------------- main -- */

enum {
	O_DST = 256, O_MODE, O_COUNT, O_DURATION, O_SEED, O_REAL, O_TMAC,
	O_SERVE, O_FLOOD, O_SNIFF, O_LEARN, O_STALE,
};

static const struct option longopts[] = {
	{ "dst", required_argument, NULL, O_DST },
	{ "mode", required_argument, NULL, O_MODE },
	{ "count", required_argument, NULL, O_COUNT },
	{ "duration", required_argument, NULL, O_DURATION },
	{ "seed", required_argument, NULL, O_SEED },
	{ "real", required_argument, NULL, O_REAL },
	{ "target-mac", required_argument, NULL, O_TMAC },
	{ "serve", required_argument, NULL, O_SERVE },
	{ "flood", required_argument, NULL, O_FLOOD },
	{ "sniff", required_argument, NULL, O_SNIFF },
	{ "learn", required_argument, NULL, O_LEARN },
	{ "stale", required_argument, NULL, O_STALE },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int main(int argc, char **argv)
{
	const char *ifname = NULL;
	bool want[M_NR], any = false;
	uint64_t duration = 50, seed = 1, t0;
	struct sigaction sa;
	char m1[18], m2[18];
	int c, i;

	aw_prog = "aoehostile";
	memcpy(H.dst, aw_bcast, 6);
	for (i = 0; i < M_NR; i++)
		want[i] = false;
	while ((c = getopt_long(argc, argv, "i:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			ifname = optarg;
			break;
		case 'v':
			H.verbose = true;
			break;
		case 'h':
			usage(0);
			break;
		case O_DST:
			if (aw_parse_mac(optarg, H.dst))
				aw_die("bad --dst MAC '%s'", optarg);
			break;
		case O_MODE: {
			char *tok, *save = NULL;

			for (tok = strtok_r(optarg, ",", &save); tok;
			     tok = strtok_r(NULL, ",", &save)) {
				if (!strcmp(tok, "all")) {
					for (i = 0; i < M_NR; i++)
						want[i] = true;
					any = true;
					continue;
				}
				for (i = 0; i < M_NR; i++)
					if (!strcmp(tok, mode_name[i]))
						break;
				if (i == M_NR)
					aw_die("unknown mode '%s'", tok);
				want[i] = true;
				any = true;
			}
			break;
		}
		case O_COUNT:
			H.max_count = aw_num("--count", optarg, UINT64_MAX);
			break;
		case O_DURATION:
			duration = aw_num("--duration", optarg, 86400);
			break;
		case O_SEED:
			seed = aw_num("--seed", optarg, UINT64_MAX);
			break;
		case O_REAL:
			if (aw_parse_addr(optarg, &H.rshelf, &H.rslot))
				aw_die("bad --real '%s'", optarg);
			H.real_known = true;
			break;
		case O_TMAC:
			if (aw_parse_mac(optarg, H.tmac))
				aw_die("bad --target-mac '%s'", optarg);
			H.tmac_known = true;
			break;
		case O_SERVE:
			if (aw_parse_addr(optarg, &H.sshelf, &H.sslot))
				aw_die("bad --serve '%s'", optarg);
			break;
		case O_FLOOD:
			H.flood_n = aw_num("--flood", optarg, 1000000);
			break;
		case O_SNIFF:
			H.sniff_s = (unsigned int)aw_num("--sniff", optarg, 3600);
			break;
		case O_STALE: {
			char *tok, *save = NULL;

			H.stale_mask = 0;
			for (tok = strtok_r(optarg, ",", &save); tok;
			     tok = strtok_r(NULL, ",", &save)) {
				for (i = 0; i < ST_NR; i++)
					if (!strcmp(tok, stale_name[i]))
						break;
				if (i == ST_NR)
					aw_die("unknown --stale reaction '%s'", tok);
				H.stale_mask |= 1u << i;
			}
			break;
		}
		case O_LEARN:
			H.learn_ms = (unsigned int)aw_num("--learn", optarg, 600000);
			break;
		default:
			usage(2);
		}
	}
	if (optind != argc || !ifname)
		usage(2);
	if (!any)
		for (i = 0; i < M_NR; i++)
			want[i] = true;
	H.rng.s = seed;
	aw_open(&H.sk, ifname);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	t0 = aw_now_us();
	H.deadline_us = t0 + duration * 1000000u;

	/* Learn the real target's address and some live tags first. */
	H.cur = M_TRUNC;
	if (H.learn_ms) {
		uint64_t end = aw_now_us() + (uint64_t)H.learn_ms * 1000u;

		while (aw_now_us() < end && H.ring_n < 32 && !out_of_bounds())
			pump(50);
	}
	if (!H.real_known) {
		H.rshelf = 0;
		H.rslot = 0;
		H.real_known = true;
	}
	if (!H.tmac_known)
		memcpy(H.tmac, H.sk.mac, 6);
	if (H.rshelf == H.sshelf && H.rslot == H.sslot)
		aw_die("--serve e%u.%u is the real target's address", H.sshelf,
		       H.sslot);
	fprintf(stderr, "aoehostile: on %s to %s; real target e%u.%u at %s;"
		" %" PRIu64 " requests sniffed while learning\n", ifname,
		aw_mac_str(H.dst, m1), H.rshelf, H.rslot, aw_mac_str(H.tmac, m2),
		H.sniffed_total);

	for (i = 0; i < M_NR && !out_of_bounds(); i++) {
		uint64_t ts;

		if (!want[i])
			continue;
		H.cur = i;
		ts = aw_now_us();
		mode_fn[i]();
		/* Listen a little between modes: serve, learn, keep up. */
		pump(100);
		if (H.verbose)
			fprintf(stderr, "aoehostile: %s: %" PRIu64 " frames in %.2f s\n",
				mode_name[i], H.per_mode[i],
				(double)(aw_now_us() - ts) / 1e6);
	}

	printf("aoehostile summary (%.1f s%s%s)\n",
	       (double)(aw_now_us() - t0) / 1e6, H.stop_why ? ", stopped: " : "",
	       H.stop_why ? H.stop_why : "");
	for (i = 0; i < M_NR; i++)
		if (want[i])
			printf("  %-9s %8" PRIu64 " frames\n", mode_name[i],
			       H.per_mode[i]);
	printf("  %-9s %8" PRIu64 " frames (answers as e%u.%u's target)\n",
	       "served", H.per_mode[M_NR], H.sshelf, H.sslot);
	printf("  %-9s %8" PRIu64 " frames (%" PRIu64 " could not be sent)\n",
	       "total", H.sent, H.send_errors);
	printf("  sniffed %" PRIu64 " requests to e%u.%u; stale reactions %"
	       PRIu64 ":", H.sniffed_total, H.rshelf, H.rslot, H.stale_handled);
	for (i = 0; i < ST_NR; i++)
		if (H.stale_mask & (1u << i))
			printf(" %s %" PRIu64, stale_name[i], H.stale_count[i]);
	printf("\n");
	printf("  served e%u.%u: %" PRIu64 " IDENTIFY, %" PRIu64 " reads, %"
	       PRIu64 " writes, %" PRIu64 " other\n", H.sshelf, H.sslot,
	       H.served_ident, H.served_read, H.served_write, H.served_other);
	return 0;
}
