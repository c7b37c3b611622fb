// SPDX-License-Identifier: GPL-2.0
/*
 * aoetgt: a programmable AoE target for testing an initiator's rare paths.
 *
 * Serves a backing file as eSHELF.SLOT on one interface, much like vblade:
 * ATA READ/WRITE SECTORS (and EXT), IDENTIFY DEVICE, FLUSH CACHE (and EXT),
 * CHECK POWER MODE, and query config (read, test, prefix test, set, force
 * set). On top of that it can fail chosen sectors with an ATA error, answer
 * with AoE errors, drop, duplicate, delay and corrupt its answers, stall
 * (stop serving for a while before some writes, keeping the order of what
 * waits, as a starved target does), and log
 * every command and answer with a sequence number and a timestamp.
 *
 * Writes go to the file with pwrite() and reach stable storage only on a
 * FLUSH (fdatasync), so the order of writes and flushes is observable.
 *
 * With --volatile the file is the disk's medium and the target has a
 * volatile write cache in front of it: an acknowledged write lives only in
 * aoetgt's memory until a FLUSH (or a full cache) writes it to the file.
 * SIGUSR2 cuts the power: every unflushed write is lost, or (model
 * "subset") a random subset of the dirty sectors reaches the file first,
 * as a drive that was writing back in its own order; then aoetgt exits.
 *
 * Run with --help for the options.
 */
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <sys/stat.h>

#include "aoewire.h"

#define MAX_RANGES	32
#define MAX_AOEERR	16
#define PEND_MAX	8192
#define CACHE_MB_DEFAULT 64

enum cut_model { CUT_NONE, CUT_ALL, CUT_SUBSET };

/*
 * The volatile cache: the newest data of each dirty sector, in a pool in
 * the order sectors first became dirty, found through an open-addressing
 * hash of the LBA (slot value 0 is empty, else pool index + 1).
 */
struct vcache {
	uint64_t *lba;		/* per pool entry */
	uint8_t *data;		/* AW_SECTOR bytes per pool entry */
	uint32_t *slot;		/* hash table, nslot entries */
	size_t n, cap, nslot, max;
	uint64_t flushed, written_back, lost;
};

enum kind { K_CFG, K_IDENT, K_READ, K_WRITE, K_FLUSH, K_OTHER, K_NR };

static const char *const kind_name[K_NR] = {
	"CFG", "IDENT", "READ", "WRITE", "FLUSH", "OTHER",
};

struct range {
	uint64_t lba;
	uint64_t count;
};

struct aoeerr {
	uint8_t code;
	int kind;		/* -1: every ATA command */
};

/* An answer waiting for its --delay to pass. */
struct pend {
	struct pend *next;
	uint64_t due_us;
	int copies;
	bool raw;		/* deliberately short: no padding */
	size_t len;
	int kind;
	uint32_t tag;
	uint64_t lba;
	unsigned int nsect;
	char note[48];
	uint8_t frame[];
};

static struct {
	struct aw_sock sk;
	uint16_t shelf;
	uint8_t slot;
	const char *path;
	int fd;
	uint64_t sectors;
	bool size_override;
	unsigned int bufcnt;
	unsigned int scnt;	/* 0: as many as the MTU allows */
	unsigned int fwver;
	bool wcache;
	bool no_flush_ext;
	bool announce;
	FILE *log;
	uint64_t seq;
	struct range ata_err[MAX_RANGES];
	int n_ata_err;
	struct aoeerr aoe_err[MAX_AOEERR];
	int n_aoe_err;
	double drop, dup, corrupt, slow, stall;
	bool corrupt_data;
	unsigned int delay_ms;
	unsigned int slow_ms;
	unsigned int stall_ms;
	struct aw_rng rng;
	uint8_t cfg[AW_CFG_STRMAX];
	unsigned int cfglen;
	struct pend *ph, *pt;
	unsigned int npend;
	bool verbose;
	enum cut_model cut;
	struct vcache vc;
	/* counters */
	uint64_t rx[K_NR], tx, dropped, duped, corrupted, ignored, slowed;
	uint64_t stalled;
} T = {
	.fd = -1,
	.bufcnt = 16,
	.fwver = 0x4019,
	.slow_ms = 300,
	.stall_ms = 500,
};

static volatile sig_atomic_t want_stop, want_resize, want_cut;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		want_resize = 1;
	else if (sig == SIGUSR2)
		want_cut = 1;
	else
		want_stop = 1;
}

static void usage(int rc)
{
	fprintf(rc ? stderr : stdout,
"usage: aoetgt -i IFACE -s SHELF -l SLOT -f FILE [options]\n"
"  --bufcnt N          buffer count in config answers (default 16)\n"
"  --scnt N            most sectors per command (default: what the MTU allows);\n"
"                      config answers carry min(N, (MTU-36)/512)\n"
"  --fwver N           firmware version in config answers (default 0x4019)\n"
"  --wcache            IDENTIFY advertises a volatile write cache\n"
"  --no-flush-ext      answer FLUSH CACHE EXT (0xEA) with ABRT, as vblade does\n"
"  --size SECTORS      disk size instead of the file's\n"
"  --log FILE          one line per command received and answer sent\n"
"  --ata-error LBA[+COUNT]  commands touching these sectors fail with status\n"
"                      0x51, error 0x04 (ABRT); repeatable\n"
"  --aoe-error CODE[@KIND]  answer ATA commands (all, or KIND = read, write,\n"
"                      flush or ident) with the AoE error flag and CODE; repeatable\n"
"  --drop PCT          do not send PCT %% of ATA answers (the command is done)\n"
"  --dup PCT           send PCT %% of ATA answers twice\n"
"  --delay MS          send every answer MS milliseconds late\n"
"  --slow PCT          send PCT %% of ATA answers --slow-ms later still\n"
"  --slow-ms MS        see --slow (default 300)\n"
"  --stall PCT         before PCT %% of writes, serve nothing for --stall-ms\n"
"                      (what arrives meanwhile waits, in order)\n"
"  --stall-ms MS       see --stall (default 500)\n"
"  --corrupt PCT       corrupt PCT %% of ATA answers: wrong tag, short frame or\n"
"                      wrong sector count; with --corrupt-data instead flip a\n"
"                      byte of read data (read answers only)\n"
"  --corrupt-data      see --corrupt\n"
"  --seed N            seed for --drop, --dup, --corrupt, --stall (default 1)\n"
"  --announce          broadcast a config answer at start\n"
"  --volatile MODEL    a volatile write cache in front of FILE (implies\n"
"                      --wcache): written sectors stay in memory until a FLUSH;\n"
"                      SIGUSR2 is a power cut, after which aoetgt exits. MODEL\n"
"                      all: every unflushed write is lost; subset: a random\n"
"                      half of the dirty sectors reaches FILE first (--seed)\n"
"  --cache-mb N        the volatile cache's size; when full it is written\n"
"                      back as by a FLUSH (default 64)\n"
"  -v, --verbose       also print the log lines on stderr\n"
"Signals: SIGUSR1 re-reads the file size (forgetting --size); SIGUSR2 cuts the\n"
"power (--volatile); SIGTERM, SIGINT stop it (a volatile cache is written back).\n"
"The log's lines: SEQ TIME_US DIR KIND tag=T lba=L n=N [...], DIR\n"
"being RX (command), TX (answer sent) or NOTX (answer dropped).\n");
	exit(rc);
}

/* ------------------------------------------------------------------ log -- */

static void logline(const char *dir, int kind, uint32_t tag, uint64_t lba,
		    unsigned int n, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static void logline(const char *dir, int kind, uint32_t tag, uint64_t lba,
		    unsigned int n, const char *fmt, ...)
{
	char extra[160] = "";
	va_list ap;

	if (!T.log && !T.verbose)
		return;
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(extra, sizeof(extra), fmt, ap);
		va_end(ap);
	}
	T.seq++;
	if (T.log) {
		fprintf(T.log, "%" PRIu64 " %" PRIu64 " %s %s tag=%08x lba=%" PRIu64
			" n=%u%s%s\n", T.seq, aw_now_us(), dir, kind_name[kind],
			tag, lba, n, *extra ? " " : "", extra);
		fflush(T.log);
	}
	if (T.verbose)
		fprintf(stderr, "%" PRIu64 " %s %s tag=%08x lba=%" PRIu64
			" n=%u%s%s\n", T.seq, dir, kind_name[kind], tag, lba, n,
			*extra ? " " : "", extra);
}

static void lognote(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void lognote(const char *fmt, ...)
{
	va_list ap;

	if (!T.log)
		return;
	fputs("# ", T.log);
	va_start(ap, fmt);
	vfprintf(T.log, fmt, ap);
	va_end(ap);
	fputc('\n', T.log);
	fflush(T.log);
}

/* ------------------------------------------------------------- backing -- */

static void read_size(void)
{
	off_t end = lseek(T.fd, 0, SEEK_END);

	if (end < 0)
		aw_die("%s: lseek: %s", T.path, strerror(errno));
	T.sectors = (uint64_t)end / AW_SECTOR;
	T.size_override = false;
}

/* ------------------------------------------------------ volatile cache -- */

static size_t vc_hash(const struct vcache *c, uint64_t lba)
{
	return (size_t)((lba * 0x9e3779b97f4a7c15ull) >> 20) & (c->nslot - 1);
}

/* The slot that holds @lba, or the empty one where it would go. */
static uint32_t *vc_slot(struct vcache *c, uint64_t lba)
{
	size_t i = vc_hash(c, lba);

	while (c->slot[i] && c->lba[c->slot[i] - 1] != lba)
		i = (i + 1) & (c->nslot - 1);
	return &c->slot[i];
}

static void vc_init(struct vcache *c, unsigned int mb)
{
	c->max = (size_t)mb * (1024 * 1024 / AW_SECTOR);
	c->cap = c->max;
	/* At most half full, a power of two. */
	for (c->nslot = 1024; c->nslot < 2 * c->max; c->nslot *= 2)
		;
	c->lba = malloc(c->cap * sizeof(*c->lba));
	c->data = malloc(c->cap * AW_SECTOR);
	c->slot = calloc(c->nslot, sizeof(*c->slot));
	if (!c->lba || !c->data || !c->slot)
		aw_die("--cache-mb %u: out of memory", mb);
}

static void vc_clear(struct vcache *c)
{
	memset(c->slot, 0, c->nslot * sizeof(*c->slot));
	c->n = 0;
}

/* Pool entry @i to the file. */
static bool vc_store(struct vcache *c, size_t i)
{
	return pwrite(T.fd, c->data + i * AW_SECTOR, AW_SECTOR,
		      (off_t)(c->lba[i] * AW_SECTOR)) == AW_SECTOR;
}

/* Write every dirty sector to the file, in the order they became dirty. */
static int vc_writeback(struct vcache *c)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < c->n; i++)
		if (!vc_store(c, i))
			rc = -1;
	c->flushed += c->n;
	vc_clear(c);
	return rc;
}

static int vc_write(struct vcache *c, uint64_t lba, unsigned int n,
		    const uint8_t *src)
{
	unsigned int i;

	if (c->n + n > c->max && vc_writeback(c) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		uint32_t *sl = vc_slot(c, lba + i);

		if (!*sl) {
			c->lba[c->n] = lba + i;
			*sl = (uint32_t)++c->n;
		}
		memcpy(c->data + (size_t)(*sl - 1) * AW_SECTOR,
		       src + (size_t)i * AW_SECTOR, AW_SECTOR);
	}
	return 0;
}

/* Reads see the cache: dirty sectors over what pread() got. */
static void vc_read(struct vcache *c, uint64_t lba, unsigned int n,
		    uint8_t *dst)
{
	unsigned int i;

	for (i = 0; c->n && i < n; i++) {
		uint32_t sl = *vc_slot(c, lba + i);

		if (sl)
			memcpy(dst + (size_t)i * AW_SECTOR,
			       c->data + (size_t)(sl - 1) * AW_SECTOR, AW_SECTOR);
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The log gets the lost sectors as ranges "# lost lba=L n=N". */
static void log_lost(uint64_t *lost, size_t n)
{
	size_t i, j;

	qsort(lost, n, sizeof(*lost), cmp_u64);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && lost[j] == lost[j - 1] + 1; j++)
			;
		lognote("lost lba=%" PRIu64 " n=%zu", lost[i], j - i);
	}
}

/* The power cut: what of the cache reaches the medium, by the model. */
static void vc_power_cut(struct vcache *c)
{
	uint64_t *lost = malloc((c->n ? c->n : 1) * sizeof(*lost));
	size_t i, nlost = 0;

	if (!lost)
		aw_die("out of memory");
	for (i = 0; i < c->n; i++) {
		if (T.cut == CUT_SUBSET && aw_chance(&T.rng, 50) &&
		    vc_store(c, i)) {
			c->written_back++;
			continue;
		}
		lost[nlost++] = c->lba[i];
	}
	c->lost = nlost;
	lognote("power cut (model %s): %zu dirty sectors, %" PRIu64
		" written back, %zu lost", T.cut == CUT_ALL ? "all" : "subset",
		c->n, c->written_back, nlost);
	log_lost(lost, nlost);
	fprintf(stderr, "aoetgt: power cut (model %s): %zu dirty sectors, %"
		PRIu64 " written back, %zu lost; %" PRIu64
		" sectors flushed before\n", T.cut == CUT_ALL ? "all" : "subset",
		c->n, c->written_back, nlost, c->flushed);
	free(lost);
	vc_clear(c);
	fdatasync(T.fd);
}

static unsigned int max_sectors(void)
{
	int mtu = aw_mtu(&T.sk);
	unsigned int n = mtu > 36 ? (unsigned int)(mtu - 36) / AW_SECTOR : 0;

	if (T.scnt && n > T.scnt)
		n = T.scnt;
	if (n > 255)
		n = 255;
	return n;
}

static bool touches_bad(uint64_t lba, unsigned int n)
{
	int i;

	for (i = 0; i < T.n_ata_err; i++) {
		const struct range *r = &T.ata_err[i];

		if (lba < r->lba + r->count && r->lba < lba + n)
			return true;
	}
	return false;
}

static int aoe_error_for(int kind)
{
	int i;

	for (i = 0; i < T.n_aoe_err; i++)
		if (T.aoe_err[i].kind < 0 || T.aoe_err[i].kind == kind)
			return T.aoe_err[i].code;
	return 0;
}

static void build_ident(uint8_t *id)
{
	char serial[24], model[48];

	snprintf(serial, sizeof(serial), "AOETGT%05u%03u", T.shelf, T.slot);
	snprintf(model, sizeof(model), "aoetgt e%u.%u", T.shelf, T.slot);
	aw_ident(id, T.sectors, T.wcache, serial, "aoetgt1", model);
}

/* ------------------------------------------------------------- sending -- */

static void xmit(const uint8_t *f, size_t len)
{
	uint8_t pad[AW_ETH_ZLEN];

	if (len < AW_ETH_ZLEN) {
		memset(pad, 0, sizeof(pad));
		memcpy(pad, f, len);
		f = pad;
		len = AW_ETH_ZLEN;
	}
	if (aw_send(&T.sk, f, len) < 0)
		fprintf(stderr, "aoetgt: send: %s\n", strerror(errno));
	else
		T.tx++;
}

/* Unpadded: for deliberately short frames. */
static void xmit_raw(const uint8_t *f, size_t len)
{
	if (aw_send(&T.sk, f, len) < 0)
		fprintf(stderr, "aoetgt: send: %s\n", strerror(errno));
	else
		T.tx++;
}

static void send_now(struct pend *p)
{
	const uint8_t *f = p->frame;
	char what[64];
	int i;

	if (p->kind == K_CFG)
		snprintf(what, sizeof(what), "bufcnt=%u scnt=%u",
			 aw_get16(f + AW_OFF_BUFCNT), f[AW_OFF_CSCNT]);
	else
		snprintf(what, sizeof(what), "st=%02x err=%02x",
			 f[AW_OFF_CMDSTAT], f[AW_OFF_FEAT]);
	if (f[AW_OFF_VERFL] & AW_FL_ERR)
		snprintf(what + strlen(what), sizeof(what) - strlen(what),
			 " aoeerr=%u", f[AW_OFF_ERR]);
	for (i = 0; i < p->copies; i++) {
		if (p->raw)
			xmit_raw(f, p->len);
		else
			xmit(f, p->len);
		logline("TX", p->kind, p->tag, p->lba, p->nsect, "%s%s", what,
			p->note);
	}
}

/*
 * Queue or send an answer. @f is @len bytes; kind/tag/lba/n are for the
 * log. @faulty: drop/dup/corrupt apply (ATA answers).
 */
/* Into the queue of waiting answers, which is kept in due order. */
static void pend_insert(struct pend *p)
{
	struct pend **pp = &T.ph;

	if (T.pt && T.pt->due_us <= p->due_us)
		pp = &T.pt->next;
	else
		while (*pp && (*pp)->due_us <= p->due_us)
			pp = &(*pp)->next;
	p->next = *pp;
	*pp = p;
	if (!p->next)
		T.pt = p;
	T.npend++;
}

static void answer(uint8_t *f, size_t len, int kind, uint32_t tag,
		   uint64_t lba, unsigned int n, bool faulty)
{
	struct pend *p;
	char note[48] = "";
	unsigned int extra_ms = 0;
	bool raw = false;
	int copies = 1;

	if (faulty && aw_chance(&T.rng, T.drop)) {
		T.dropped++;
		logline("NOTX", kind, tag, lba, n, "drop");
		return;
	}
	if (faulty && aw_chance(&T.rng, T.corrupt)) {
		if (T.corrupt_data) {
			if (kind == K_READ && len > AW_ATA_END) {
				size_t off = AW_ATA_END +
					aw_randn(&T.rng, (uint32_t)(len - AW_ATA_END));

				f[off] ^= 0xff;
				snprintf(note, sizeof(note), " corrupt=data@%zu",
					 off - AW_ATA_END);
				T.corrupted++;
			}
		} else {
			switch (aw_randn(&T.rng, 3)) {
			case 0:	/* another generation of the same frame index */
				aw_put32(f + AW_OFF_TAG, (tag ^ 0x00012300) &
					 ~AW_TAG_USER);
				snprintf(note, sizeof(note), " corrupt=tag");
				break;
			case 1:	/* short: half the data, or half a header */
				len = len > AW_ATA_END ?
				      AW_ATA_END + (len - AW_ATA_END) / 2 :
				      AW_HDR_END + 4;
				snprintf(note, sizeof(note), " corrupt=short");
				raw = true;
				break;
			default: /* sector count that does not match */
				f[AW_OFF_SCNT] = (uint8_t)(f[AW_OFF_SCNT] + 1);
				snprintf(note, sizeof(note), " corrupt=scnt");
				break;
			}
			T.corrupted++;
		}
	}
	if (faulty && aw_chance(&T.rng, T.dup)) {
		copies = 2;
		T.duped++;
		strncat(note, " dup", sizeof(note) - strlen(note) - 1);
	}
	if (faulty && aw_chance(&T.rng, T.slow)) {
		extra_ms = T.slow_ms;
		T.slowed++;
		strncat(note, " slow", sizeof(note) - strlen(note) - 1);
	}
	p = malloc(sizeof(*p) + (len < AW_ETH_ZLEN ? AW_ETH_ZLEN : len));
	if (!p)
		aw_die("out of memory");
	p->next = NULL;
	p->due_us = aw_now_us() + (uint64_t)(T.delay_ms + extra_ms) * 1000u;
	p->copies = copies;
	p->raw = raw;
	p->len = len;
	p->kind = kind;
	p->tag = tag;
	p->lba = lba;
	p->nsect = n;
	memcpy(p->note, note, sizeof(note));
	memcpy(p->frame, f, len);
	if (!T.delay_ms && !extra_ms) {
		send_now(p);
		free(p);
		return;
	}
	if (T.npend >= PEND_MAX) {
		T.dropped++;
		logline("NOTX", kind, tag, lba, n, "queue-full");
		free(p);
		return;
	}
	pend_insert(p);
}

/* Send what is due; returns ms until the next one is (-1: none). */
static int flush_pending(void)
{
	uint64_t now = aw_now_us();

	while (T.ph && T.ph->due_us <= now) {
		struct pend *p = T.ph;

		T.ph = p->next;
		if (!T.ph)
			T.pt = NULL;
		T.npend--;
		send_now(p);
		free(p);
	}
	if (!T.ph)
		return -1;
	return (int)((T.ph->due_us - now + 999) / 1000);
}

/* ----------------------------------------------------------------- ATA -- */

static int ata_kind(uint8_t cmd)
{
	switch (cmd) {
	case AW_ATA_READ:
	case AW_ATA_READ_EXT:
		return K_READ;
	case AW_ATA_WRITE:
	case AW_ATA_WRITE_EXT:
		return K_WRITE;
	case AW_ATA_IDENT:
		return K_IDENT;
	case AW_ATA_FLUSH:
	case AW_ATA_FLUSH_EXT:
		return K_FLUSH;
	default:
		return K_OTHER;
	}
}

static void do_ata(const uint8_t *req, size_t len)
{
	static uint8_t out[AW_FRAME_MAX];
	uint8_t cmd = req[AW_OFF_CMDSTAT];
	uint32_t tag = aw_get32(req + AW_OFF_TAG);
	unsigned int n = req[AW_OFF_SCNT];
	uint64_t lba = aw_lba(req);
	int kind = ata_kind(cmd);
	size_t olen = AW_ATA_END;
	uint8_t st = AW_ST_OK, er = 0;
	int aoeerr, max;

	if (kind == K_WRITE && aw_chance(&T.rng, T.stall)) {
		T.stalled++;
		logline("RX", kind, tag, lba, n, "stall %u ms", T.stall_ms);
		aw_sleep_us((uint64_t)T.stall_ms * 1000u);
	}
	T.rx[kind]++;
	logline("RX", kind, tag, lba, n, "cmd=%02x aflags=%02x len=%zu", cmd,
		req[AW_OFF_AFLAGS], len);

	memcpy(out, req, AW_ATA_END);
	memcpy(out + AW_OFF_DST, req + AW_OFF_SRC, 6);
	memcpy(out + AW_OFF_SRC, T.sk.mac, 6);
	out[AW_OFF_VERFL] = AW_VER << 4 | AW_FL_RSP;
	out[AW_OFF_ERR] = 0;

	aoeerr = aoe_error_for(kind);
	if (aoeerr) {
		out[AW_OFF_VERFL] |= AW_FL_ERR;
		out[AW_OFF_ERR] = (uint8_t)aoeerr;
		goto send;
	}
	max = (int)max_sectors();
	switch (cmd) {
	case AW_ATA_READ:
	case AW_ATA_READ_EXT:
	case AW_ATA_WRITE:
	case AW_ATA_WRITE_EXT:
		if ((int)n > max) {
			/* As vblade: more than a frame can carry. */
			out[AW_OFF_VERFL] |= AW_FL_ERR;
			out[AW_OFF_ERR] = 2;
			goto send;
		}
		if (!n || lba + n > T.sectors || touches_bad(lba, n)) {
			st = AW_ST_FAIL;
			er = AW_ER_ABRT;
			break;
		}
		if (kind == K_READ) {
			ssize_t r = pread(T.fd, out + AW_ATA_END,
					  (size_t)n * AW_SECTOR,
					  (off_t)(lba * AW_SECTOR));

			if (r < 0) {
				st = AW_ST_FAIL;
				er = AW_ER_ABRT;
				break;
			}
			if ((size_t)r < (size_t)n * AW_SECTOR)	/* past EOF */
				memset(out + AW_ATA_END + r, 0,
				       (size_t)n * AW_SECTOR - (size_t)r);
			if (T.cut)
				vc_read(&T.vc, lba, n, out + AW_ATA_END);
			olen = AW_ATA_END + (size_t)n * AW_SECTOR;
		} else {
			/* Never trust the sector count beyond the frame. */
			if (len < AW_ATA_END + (size_t)n * AW_SECTOR) {
				st = AW_ST_FAIL;
				er = AW_ER_ABRT;
				break;
			}
			if (T.cut) {
				if (vc_write(&T.vc, lba, n, req + AW_ATA_END) < 0) {
					st = AW_ST_FAIL;
					er = AW_ER_ABRT;
				}
			} else if (pwrite(T.fd, req + AW_ATA_END,
					  (size_t)n * AW_SECTOR,
					  (off_t)(lba * AW_SECTOR)) !=
				   (ssize_t)n * AW_SECTOR) {
				st = AW_ST_FAIL;
				er = AW_ER_ABRT;
			}
		}
		break;
	case AW_ATA_IDENT:
		build_ident(out + AW_ATA_END);
		olen = AW_ATA_END + AW_SECTOR;
		break;
	case AW_ATA_FLUSH_EXT:
		if (T.no_flush_ext) {
			st = AW_ST_FAIL;
			er = AW_ER_ABRT;
			break;
		}
		/* fall through */
	case AW_ATA_FLUSH:
		if ((T.cut && vc_writeback(&T.vc) < 0) || fdatasync(T.fd) < 0) {
			st = AW_ST_FAIL;
			er = AW_ER_ABRT;
		}
		break;
	case AW_ATA_CHKPWR:
		out[AW_OFF_SCNT] = 0xff;	/* active or idle */
		break;
	default:
		st = AW_ST_FAIL;
		er = AW_ER_ABRT;
		break;
	}
	out[AW_OFF_CMDSTAT] = st;
	out[AW_OFF_FEAT] = er;
send:
	answer(out, olen, kind, tag, lba, n, true);
}

/* -------------------------------------------------------------- config -- */

static void cfg_answer(const uint8_t *dst, uint32_t tag, uint8_t ccmd,
		       uint8_t err)
{
	uint8_t f[AW_CFG_END + AW_CFG_STRMAX];

	memset(f, 0, sizeof(f));
	aw_hdr(f, dst, T.sk.mac, AW_VER << 4 | AW_FL_RSP | (err ? AW_FL_ERR : 0),
	       err, T.shelf, T.slot, AW_CMD_CFG, tag);
	aw_put16(f + AW_OFF_BUFCNT, (uint16_t)T.bufcnt);
	aw_put16(f + AW_OFF_FWVER, (uint16_t)T.fwver);
	f[AW_OFF_CSCNT] = (uint8_t)max_sectors();
	f[AW_OFF_CCMD] = (uint8_t)(AW_VER << 4 | (ccmd & 0x0f));
	aw_put16(f + AW_OFF_CSLEN, (uint16_t)T.cfglen);
	memcpy(f + AW_CFG_END, T.cfg, T.cfglen);
	answer(f, AW_CFG_END + T.cfglen, K_CFG, tag, 0, f[AW_OFF_CSCNT], false);
}

static void do_cfg(const uint8_t *req, size_t len)
{
	uint32_t tag = aw_get32(req + AW_OFF_TAG);
	uint8_t ccmd = req[AW_OFF_CCMD] & 0x0f;
	unsigned int cslen = aw_get16(req + AW_OFF_CSLEN);
	const uint8_t *cs = req + AW_CFG_END;
	int err;

	T.rx[K_CFG]++;
	logline("RX", K_CFG, tag, 0, 0, "ccmd=%u cslen=%u len=%zu", ccmd, cslen,
		len);
	if (cslen > AW_CFG_STRMAX || AW_CFG_END + (size_t)cslen > len) {
		cfg_answer(req + AW_OFF_SRC, tag, ccmd, 2);
		return;
	}
	err = aw_cfg_apply(ccmd, cs, cslen, T.cfg, &T.cfglen);
	if (err != AW_CFG_SILENT)
		cfg_answer(req + AW_OFF_SRC, tag, ccmd, (uint8_t)err);
}

/* ---------------------------------------------------------------- frame -- */

static void do_frame(const uint8_t *f, size_t len)
{
	uint16_t major;
	uint8_t minor, cmd;

	if (len < AW_HDR_END) {
		T.ignored++;
		return;
	}
	if (memcmp(f + AW_OFF_DST, T.sk.mac, 6) &&
	    memcmp(f + AW_OFF_DST, aw_bcast, 6)) {
		T.ignored++;
		return;
	}
	if ((f[AW_OFF_VERFL] >> 4) != AW_VER || (f[AW_OFF_VERFL] & AW_FL_RSP)) {
		T.ignored++;
		return;
	}
	major = aw_get16(f + AW_OFF_MAJOR);
	minor = f[AW_OFF_MINOR];
	cmd = f[AW_OFF_CMD];
	if (cmd == AW_CMD_CFG) {
		if ((major != T.shelf && major != 0xffff) ||
		    (minor != T.slot && minor != 0xff) || len < AW_CFG_END) {
			T.ignored++;
			return;
		}
		do_cfg(f, len);
		return;
	}
	if (major != T.shelf || minor != T.slot) {
		T.ignored++;
		return;
	}
	if (cmd == AW_CMD_ATA) {
		if (len < AW_ATA_END) {
			T.ignored++;
			logline("RX", K_OTHER, aw_get32(f + AW_OFF_TAG), 0, 0,
				"short=%zu", len);
			return;
		}
		do_ata(f, len);
		return;
	}
	/* Mask list, reservations, vendor commands: unrecognized. */
	{
		uint8_t out[AW_HDR_END];
		uint32_t tag = aw_get32(f + AW_OFF_TAG);

		T.rx[K_OTHER]++;
		logline("RX", K_OTHER, tag, 0, 0, "aoecmd=%u", cmd);
		aw_hdr(out, f + AW_OFF_SRC, T.sk.mac,
		       AW_VER << 4 | AW_FL_RSP | AW_FL_ERR, 1, T.shelf, T.slot,
		       cmd, tag);
		answer(out, sizeof(out), K_OTHER, tag, 0, 0, false);
	}
}

/* ----------------------------------------------------------------- main -- */

static int parse_kind(const char *s)
{
	if (!strcmp(s, "read"))
		return K_READ;
	if (!strcmp(s, "write"))
		return K_WRITE;
	if (!strcmp(s, "flush"))
		return K_FLUSH;
	if (!strcmp(s, "ident"))
		return K_IDENT;
	aw_die("bad --aoe-error kind '%s' (read, write, flush, ident)", s);
}

static double parse_pct(const char *what, const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || v < 0 || v > 100)
		aw_die("bad %s: '%s' (0..100)", what, s);
	return v;
}

enum {
	O_BUFCNT = 256, O_SCNT, O_FWVER, O_WCACHE, O_NOFLUSHEXT, O_SIZE, O_LOG,
	O_ATAERR, O_AOEERR, O_DROP, O_DUP, O_DELAY, O_SLOW, O_SLOWMS, O_STALL, O_STALLMS, O_CORRUPT, O_CORRUPTDATA,
	O_SEED, O_ANNOUNCE, O_VOLATILE, O_CACHEMB,
};

static const struct option longopts[] = {
	{ "bufcnt", required_argument, NULL, O_BUFCNT },
	{ "scnt", required_argument, NULL, O_SCNT },
	{ "fwver", required_argument, NULL, O_FWVER },
	{ "wcache", no_argument, NULL, O_WCACHE },
	{ "no-flush-ext", no_argument, NULL, O_NOFLUSHEXT },
	{ "size", required_argument, NULL, O_SIZE },
	{ "log", required_argument, NULL, O_LOG },
	{ "ata-error", required_argument, NULL, O_ATAERR },
	{ "aoe-error", required_argument, NULL, O_AOEERR },
	{ "drop", required_argument, NULL, O_DROP },
	{ "dup", required_argument, NULL, O_DUP },
	{ "delay", required_argument, NULL, O_DELAY },
	{ "slow", required_argument, NULL, O_SLOW },
	{ "slow-ms", required_argument, NULL, O_SLOWMS },
	{ "stall", required_argument, NULL, O_STALL },
	{ "stall-ms", required_argument, NULL, O_STALLMS },
	{ "corrupt", required_argument, NULL, O_CORRUPT },
	{ "corrupt-data", no_argument, NULL, O_CORRUPTDATA },
	{ "seed", required_argument, NULL, O_SEED },
	{ "announce", no_argument, NULL, O_ANNOUNCE },
	{ "volatile", required_argument, NULL, O_VOLATILE },
	{ "cache-mb", required_argument, NULL, O_CACHEMB },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int main(int argc, char **argv)
{
	static uint8_t buf[AW_FRAME_MAX];
	const char *ifname = NULL, *logpath = NULL;
	uint64_t size = 0, seed = 1;
	unsigned int cache_mb = CACHE_MB_DEFAULT;
	bool have_shelf = false, have_slot = false, have_size = false;
	struct sigaction sa;
	char macs[18];
	int c;

	aw_prog = "aoetgt";
	while ((c = getopt_long(argc, argv, "i:s:l:f:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			ifname = optarg;
			break;
		case 's':
			T.shelf = (uint16_t)aw_num("shelf", optarg, 0xfffe);
			have_shelf = true;
			break;
		case 'l':
			T.slot = (uint8_t)aw_num("slot", optarg, 0xfe);
			have_slot = true;
			break;
		case 'f':
			T.path = optarg;
			break;
		case 'v':
			T.verbose = true;
			break;
		case 'h':
			usage(0);
			break;
		case O_BUFCNT:
			T.bufcnt = (unsigned int)aw_num("--bufcnt", optarg, 0xffff);
			break;
		case O_SCNT:
			T.scnt = (unsigned int)aw_num("--scnt", optarg, 255);
			break;
		case O_FWVER:
			T.fwver = (unsigned int)aw_num("--fwver", optarg, 0xffff);
			break;
		case O_WCACHE:
			T.wcache = true;
			break;
		case O_NOFLUSHEXT:
			T.no_flush_ext = true;
			break;
		case O_SIZE:
			size = aw_num("--size", optarg, (1ull << 48) - 1);
			have_size = true;
			break;
		case O_LOG:
			logpath = optarg;
			break;
		case O_ATAERR: {
			char *plus = strchr(optarg, '+');
			struct range *r;

			if (T.n_ata_err >= MAX_RANGES)
				aw_die("too many --ata-error ranges");
			r = &T.ata_err[T.n_ata_err++];
			if (plus)
				*plus = '\0';
			r->lba = aw_num("--ata-error LBA", optarg, (1ull << 48) - 1);
			r->count = plus ? aw_num("--ata-error COUNT", plus + 1,
						 1ull << 48) : 1;
			break;
		}
		case O_AOEERR: {
			char *at = strchr(optarg, '@');
			struct aoeerr *e;

			if (T.n_aoe_err >= MAX_AOEERR)
				aw_die("too many --aoe-error");
			e = &T.aoe_err[T.n_aoe_err++];
			if (at)
				*at = '\0';
			e->code = (uint8_t)aw_num("--aoe-error CODE", optarg, 255);
			e->kind = at ? parse_kind(at + 1) : -1;
			break;
		}
		case O_DROP:
			T.drop = parse_pct("--drop", optarg);
			break;
		case O_DUP:
			T.dup = parse_pct("--dup", optarg);
			break;
		case O_DELAY:
			T.delay_ms = (unsigned int)aw_num("--delay", optarg, 600000);
			break;
		case O_SLOW:
			T.slow = parse_pct("--slow", optarg);
			break;
		case O_SLOWMS:
			T.slow_ms = (unsigned int)aw_num("--slow-ms", optarg, 600000);
			break;
		case O_STALL:
			T.stall = parse_pct("--stall", optarg);
			break;
		case O_STALLMS:
			T.stall_ms = (unsigned int)aw_num("--stall-ms", optarg, 600000);
			break;
		case O_CORRUPT:
			T.corrupt = parse_pct("--corrupt", optarg);
			break;
		case O_CORRUPTDATA:
			T.corrupt_data = true;
			break;
		case O_SEED:
			seed = aw_num("--seed", optarg, UINT64_MAX);
			break;
		case O_ANNOUNCE:
			T.announce = true;
			break;
		case O_VOLATILE:
			if (!strcmp(optarg, "all"))
				T.cut = CUT_ALL;
			else if (!strcmp(optarg, "subset"))
				T.cut = CUT_SUBSET;
			else
				aw_die("bad --volatile model '%s' (all, subset)",
				       optarg);
			T.wcache = true;
			break;
		case O_CACHEMB:
			cache_mb = (unsigned int)aw_num("--cache-mb", optarg, 4096);
			if (!cache_mb)
				aw_die("--cache-mb must be at least 1");
			break;
		default:
			usage(2);
		}
	}
	if (optind != argc || !ifname || !have_shelf || !have_slot || !T.path)
		usage(2);
	T.rng.s = seed;
	if (T.cut)
		vc_init(&T.vc, cache_mb);

	T.fd = open(T.path, O_RDWR);
	if (T.fd < 0)
		aw_die("%s: %s", T.path, strerror(errno));
	read_size();
	if (have_size) {
		T.sectors = size;
		T.size_override = true;
	}
	if (logpath) {
		T.log = fopen(logpath, "a");
		if (!T.log)
			aw_die("%s: %s", logpath, strerror(errno));
	}
	aw_open(&T.sk, ifname);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: poll() returns */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	lognote("aoetgt e%u.%u on %s mac %s sectors %" PRIu64 " bufcnt %u scnt %u%s%s",
		T.shelf, T.slot, ifname, aw_mac_str(T.sk.mac, macs), T.sectors,
		T.bufcnt, max_sectors(), T.wcache ? " wcache" : "",
		T.cut ? " volatile" : "");
	fprintf(stderr, "aoetgt: e%u.%u on %s (%s), %" PRIu64 " sectors\n",
		T.shelf, T.slot, ifname, macs, T.sectors);
	if (T.announce)
		cfg_answer(aw_bcast, 0, 0, 0);

	while (!want_stop && !want_cut) {
		int timeout = flush_pending();
		ssize_t n;

		if (want_resize) {
			want_resize = 0;
			read_size();
			lognote("size %" PRIu64 " sectors", T.sectors);
			fprintf(stderr, "aoetgt: size now %" PRIu64 " sectors\n",
				T.sectors);
		}
		n = aw_recv(&T.sk, buf, timeout < 0 ? 1000 : timeout);
		if (n < 0) {
			fprintf(stderr, "aoetgt: recv: %s\n", strerror(errno));
			break;
		}
		if (n > 0)
			do_frame(buf, (size_t)n);
	}
	if (want_cut && T.cut)
		vc_power_cut(&T.vc);
	else if (T.cut && vc_writeback(&T.vc) < 0)
		fprintf(stderr, "aoetgt: write-back at exit failed\n");
	/* Answers still waiting for their delay are discarded. */
	while (T.ph) {
		struct pend *p = T.ph;

		T.ph = p->next;
		free(p);
	}
	fprintf(stderr, "aoetgt: rx cfg %" PRIu64 " ident %" PRIu64 " read %"
		PRIu64 " write %" PRIu64 " flush %" PRIu64 " other %" PRIu64
		"; tx %" PRIu64 " dropped %" PRIu64 " duplicated %" PRIu64
		" corrupted %" PRIu64 " ignored %" PRIu64 " slowed %" PRIu64
		" stalled %" PRIu64 "\n",
		T.rx[K_CFG], T.rx[K_IDENT], T.rx[K_READ], T.rx[K_WRITE],
		T.rx[K_FLUSH], T.rx[K_OTHER], T.tx, T.dropped, T.duped,
		T.corrupted, T.ignored, T.slowed, T.stalled);
	if (T.log)
		fclose(T.log);
	close(T.fd);
	return 0;
}
