// SPDX-License-Identifier: GPL-2.0
/*
 * aoefast: an AoE target meant to be faster than the initiator it measures.
 *
 * vblade handles one frame per loop (poll, read, pread or pwrite, write) on
 * one thread and tops out near a whole vCPU under qemu, so a benchmark with
 * it measures vblade. aoefast serves the same protocol with less work per
 * frame:
 *   - the backing file (tmpfs, or any file) is mapped shared, so a read
 *     answer is sent straight from the mapping and a write is one memcpy;
 *   - frames arrive in batches (recvmmsg, waiting for the first one only)
 *     and the answers of a batch leave in one sendmmsg, past the qdisc
 *     (PACKET_QDISC_BYPASS). Not a PACKET_TX_RING: its skbs carry the
 *     ring's pages as zero-copy fragments, which veth must copy into fresh
 *     pages when it hands them to the initiator (skb_copy_ubufs), so on
 *     veth a ring adds a copy instead of saving the page allocation;
 *   - --threads N workers, each with its own socket in one PACKET_FANOUT
 *     group, share the load; a classic BPF program chooses the worker from
 *     the shelf.slot (--fanout addr: each address served in the order its
 *     frames came, as by a real target's port) or from the shelf.slot and
 *     the 128 KiB stripe the frame starts in (--fanout lba: one address
 *     keeps both workers busy). Either way every copy of a frame (same
 *     address, same first sector) goes to the same worker, in order, so a
 *     resent write is never overtaken by its own late original, and by the
 *     time the initiator has an answer for it no stale copy is left to land
 *     on a newer write;
 *   - --count N serves N shelf.slot addresses at once (16 slots a shelf,
 *     as a Coraid shelf), each on its own slice of the file.
 * It answers a frame only after reading all of it and never drops work on
 * purpose: the socket buffer is sized for every address's advertised buffer
 * count, and what the kernel still dropped is reported (PACKET_STATISTICS).
 * Frames/s and CPU time are printed every --stats seconds and at exit.
 *
 * Commands: ATA READ/WRITE SECTORS (and EXT), IDENTIFY DEVICE, FLUSH CACHE
 * (and EXT; the data is in the file already), CHECK POWER MODE, and query
 * config. Anything else gets an ATA abort or AoE error 1.
 *
 * Run with --help for the options.
 */
#include <getopt.h>
#include <linux/filter.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <fcntl.h>

#include "aoewire.h"

#define BATCH		64	/* frames per recvmmsg / sendmmsg */
#define MAX_THREADS	8
#define SLOTS_DEFAULT	16	/* slots per shelf */
#define BUFCNT_DEFAULT	64
#define FANOUT_GROUP	0x0aef
#define RCVBUF_MIN	(8u << 20)
#define RCVBUF_MAX	(256u << 20)
#define FRAME_TRUESIZE	(16u << 10)	/* a jumbo frame's skb, roughly */
#define SEND_RETRIES	2000		/* 1 ms each: 2 s of a full queue */
#define RCV_TIMEOUT_MS	200		/* how often a worker looks at stop */
#define MTU_RECHECK_US	100000		/* an MTU change is seen this soon */
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23		/* Linux 5.14 */
#endif

/* One shelf.slot: a slice of the mapping and its config string. */
struct unit {
	uint8_t *base;
	uint64_t sectors;
	/* its requests received and not yet answered (--bufcnt check) */
	unsigned int inflight;
	pthread_mutex_t cfg_lock;
	unsigned int cfglen;
	uint8_t cfg[AW_CFG_STRMAX];
};

/* Counters of one worker; summed by the reporter without locks. */
struct wstats {
	uint64_t rx, tx, rx_bytes, tx_bytes, batches, send_waits;
	uint64_t over_bufcnt, ignored, errors;
};

struct worker {
	pthread_t thr;
	int fd;
	unsigned int id;
	struct wstats st;
	/* one batch: received frames and the answers built for them */
	struct mmsghdr rmsg[BATCH];
	struct iovec riov[BATCH];
	struct mmsghdr smsg[BATCH];
	struct iovec siov[BATCH][2];
	uint8_t rbuf[BATCH][AW_FRAME_MAX];
	uint8_t hbuf[BATCH][AW_CFG_END + AW_CFG_STRMAX];
	unsigned int nsend;
	/* sectors a frame carries at the interface's MTU, and when read */
	int maxsect;
	uint64_t maxsect_us;
	/* the unit each frame of the batch is for (-1: none, or config) */
	long unit[BATCH];
};

static struct {
	const char *ifname, *path;
	int ifindex;
	uint8_t mac[6];
	uint16_t shelf;		/* of the first address */
	uint8_t slot;
	unsigned int count, slots_per_shelf, threads, bufcnt, stats_secs;
	enum { FANOUT_ADDR, FANOUT_LBA, FANOUT_LB } fanout;
	bool announce;
	uint8_t *map;
	size_t map_len;
	struct unit *units;
	struct worker *w[MAX_THREADS];
	uint64_t t0_us;
} F = {
	.count = 1,
	.slots_per_shelf = SLOTS_DEFAULT,
	.threads = 1,
	.bufcnt = BUFCNT_DEFAULT,
	.announce = true,
};

static volatile sig_atomic_t want_stop, want_report;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		want_report = 1;
	else
		want_stop = 1;
}

static void usage(int rc)
{
	printf("usage: aoefast -i IFACE -f FILE [options]\n"
	       "  -i, --iface IFACE      interface to serve on\n"
	       "  -f, --file FILE        backing file (mapped shared; tmpfs is best)\n"
	       "  -a, --addr S.L         first shelf.slot (default 0.0)\n"
	       "  -n, --count N          addresses served (default 1); address k is\n"
	       "                         slot (L+k) %% --slots of shelf S+(L+k)/--slots,\n"
	       "                         on the k-th of N equal slices of FILE\n"
	       "      --slots N          slots per shelf (default %u)\n"
	       "  -t, --threads N        workers in one PACKET_FANOUT group (default 1)\n"
	       "      --fanout addr|lba|lb  how frames are spread over them: by\n"
	       "                         shelf.slot (default: each address served in\n"
	       "                         order), by shelf.slot and 128 KiB stripe (the\n"
	       "                         copies of one frame in order), or round robin\n"
	       "                         (reorders everything)\n"
	       "  -b, --bufcnt N         buffer count advertised (default %u)\n"
	       "      --stats SECS       print figures every SECS (default: at exit\n"
	       "                         and on SIGUSR1 only)\n"
	       "      --no-announce      do not broadcast a config answer at start\n"
	       "SIGTERM or SIGINT: print the figures and exit.\n",
	       SLOTS_DEFAULT, BUFCNT_DEFAULT);
	exit(rc);
}

/* ----------------------------------------------------------- addresses -- */

/* Index of shelf.slot among the served addresses, or -1. */
static long unit_index(uint16_t shelf, uint8_t slot)
{
	long k;

	if (shelf < F.shelf || slot >= F.slots_per_shelf)
		return -1;
	k = (long)(shelf - F.shelf) * F.slots_per_shelf + slot - F.slot;
	return (k >= 0 && k < (long)F.count) ? k : -1;
}

static void unit_addr(unsigned int k, uint16_t *shelf, uint8_t *slot)
{
	unsigned int s = F.slot + k;

	*shelf = (uint16_t)(F.shelf + s / F.slots_per_shelf);
	*slot = (uint8_t)(s % F.slots_per_shelf);
}

static void map_file(void)
{
	uint64_t per;
	struct stat sb;
	unsigned int k;
	int fd;

	fd = open(F.path, O_RDWR);
	if (fd < 0)
		aw_die("%s: %s", F.path, strerror(errno));
	if (fstat(fd, &sb) < 0)
		aw_die("%s: %s", F.path, strerror(errno));
	/* Whole 4 KiB blocks per unit, so neighbours never share a page. */
	per = (uint64_t)sb.st_size / F.count / 4096 * 4096;
	if (!per)
		aw_die("%s: %lld bytes is too small for %u addresses", F.path,
		       (long long)sb.st_size, F.count);
	F.map_len = (size_t)(per * F.count);
	F.map = mmap(NULL, F.map_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		     0);
	if (F.map == MAP_FAILED)
		aw_die("mmap %s: %s", F.path, strerror(errno));
	close(fd);
	/*
	 * A file with all its blocks is mapped writable now, so that no
	 * answer pays a page fault (not a sparse one: that would fill it).
	 */
	if ((uint64_t)sb.st_blocks * 512 >= (uint64_t)sb.st_size &&
	    madvise(F.map, F.map_len, MADV_POPULATE_WRITE))
		fprintf(stderr, "aoefast: note: MADV_POPULATE_WRITE: %s\n",
			strerror(errno));
	F.units = calloc(F.count, sizeof(*F.units));
	if (!F.units)
		aw_die("out of memory");
	for (k = 0; k < F.count; k++) {
		F.units[k].base = F.map + per * k;
		F.units[k].sectors = per / AW_SECTOR;
		pthread_mutex_init(&F.units[k].cfg_lock, NULL);
	}
}

/* ---------------------------------------------------------------- socket -- */

/* Sectors a frame carries at the MTU, read again when it may be stale. */
static int mtu_sectors(struct worker *w)
{
	uint64_t now = aw_now_us();
	struct ifreq ifr;
	int n;

	if (w->maxsect_us && now - w->maxsect_us < MTU_RECHECK_US)
		return w->maxsect;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", F.ifname);
	if (ioctl(w->fd, SIOCGIFMTU, &ifr) < 0)
		ifr.ifr_mtu = 1500;
	n = (ifr.ifr_mtu - (AW_ATA_END - AW_ETH_HLEN)) / AW_SECTOR;
	w->maxsect = n > 255 ? 255 : (n < 0 ? 0 : n);
	w->maxsect_us = now;
	return w->maxsect;
}

static int open_worker_socket(void)
{
	struct aw_sock s;
	int one = 1, fanout, rcvbuf;
	uint64_t want;
	struct timeval tv = { .tv_usec = RCV_TIMEOUT_MS * 1000 };

	aw_open(&s, F.ifname);
	F.ifindex = s.ifindex;
	memcpy(F.mac, s.mac, 6);
	/* Every address may have bufcnt frames outstanding at once. */
	want = (uint64_t)F.count * F.bufcnt * FRAME_TRUESIZE;
	rcvbuf = (int)(want < RCVBUF_MIN ? RCVBUF_MIN :
		       want > RCVBUF_MAX ? RCVBUF_MAX : want);
	if (setsockopt(s.fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
		       sizeof(rcvbuf)) < 0)
		setsockopt(s.fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	setsockopt(s.fd, SOL_SOCKET, SO_SNDBUFFORCE, &rcvbuf, sizeof(rcvbuf));
	setsockopt(s.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	/* Not fatal: only a little slower without it. */
	setsockopt(s.fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	if (F.threads > 1) {
		fanout = FANOUT_GROUP | (F.fanout == FANOUT_LB ? PACKET_FANOUT_LB :
					 PACKET_FANOUT_CBPF) << 16;
		if (setsockopt(s.fd, SOL_PACKET, PACKET_FANOUT, &fanout,
			       sizeof(fanout)) < 0)
			aw_die("PACKET_FANOUT: %s", strerror(errno));
	}
	return s.fd;
}

/*
 * The fanout group's choice of worker: a key modulo the number of workers.
 * The key is (major << 8) + minor, plus for --fanout lba bits 8..15 of the
 * LBA (the 128 KiB stripe, modulo 32 MiB; config frames have other fields
 * there, and may go to any worker). The program sees the frame from the AoE header on.
 */
static void fanout_by_key(int fd, bool lba)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, AW_OFF_MAJOR - AW_ETH_HLEN),
		BPF_STMT(BPF_ALU | BPF_LSH | BPF_K, 8),
		BPF_STMT(BPF_MISC | BPF_TAX, 0),
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, AW_OFF_MINOR - AW_ETH_HLEN),
		BPF_STMT(BPF_ALU | BPF_ADD | BPF_X, 0),
		/* --fanout addr stops here */
		BPF_STMT(BPF_MISC | BPF_TAX, 0),
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS,
			 AW_OFF_LBA + 1 - AW_ETH_HLEN),	/* LBA bits 8..15 */
		BPF_STMT(BPF_ALU | BPF_ADD | BPF_X, 0),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	struct sock_fprog prog = {
		.len = sizeof(code) / sizeof(code[0]),
		.filter = code,
	};

	if (!lba) {	/* return after the address */
		code[5] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_A, 0);
		prog.len = 6;
	}
	if (setsockopt(fd, SOL_PACKET, PACKET_FANOUT_DATA, &prog,
		       sizeof(prog)) < 0)
		aw_die("PACKET_FANOUT_DATA: %s", strerror(errno));
}

/* ---------------------------------------------------------------- answers -- */

/* Queue an answer: header @h of @hlen bytes, then @dlen bytes at @data. */
static void queue_answer(struct worker *w, size_t hlen, const void *data,
			 size_t dlen)
{
	struct msghdr *m = &w->smsg[w->nsend].msg_hdr;
	struct iovec *iov = w->siov[w->nsend];
	size_t total = hlen + dlen;

	iov[0].iov_base = w->hbuf[w->nsend];
	iov[0].iov_len = hlen;
	iov[1].iov_base = (void *)data;
	iov[1].iov_len = dlen;
	if (total < AW_ETH_ZLEN) {	/* pad in the header buffer */
		memset(w->hbuf[w->nsend] + hlen, 0, AW_ETH_ZLEN - total);
		iov[0].iov_len = AW_ETH_ZLEN - dlen;
	}
	memset(m, 0, sizeof(*m));
	m->msg_iov = iov;
	m->msg_iovlen = dlen ? 2 : 1;
	w->st.tx++;
	w->st.tx_bytes += iov[0].iov_len + dlen;
	w->nsend++;
}

/* Send every queued answer; waits while the device queue is full. */
static void flush_answers(struct worker *w)
{
	unsigned int done = 0, waits = 0;

	while (done < w->nsend) {
		int n = sendmmsg(w->fd, w->smsg + done, w->nsend - done, 0);

		if (n > 0) {
			done += (unsigned int)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == ENOBUFS || errno == EAGAIN) &&
		    waits++ < SEND_RETRIES) {
			w->st.send_waits++;
			aw_sleep_us(1000);
			continue;
		}
		w->st.errors += w->nsend - done;
		break;
	}
	w->nsend = 0;
}

/* The answer header in the next send slot: the request's, turned round. */
static uint8_t *answer_hdr(struct worker *w, const uint8_t *req, size_t len)
{
	uint8_t *h = w->hbuf[w->nsend];

	memcpy(h, req, len);
	memcpy(h + AW_OFF_DST, req + AW_OFF_SRC, 6);
	memcpy(h + AW_OFF_SRC, F.mac, 6);
	h[AW_OFF_VERFL] = AW_VER << 4 | AW_FL_RSP;
	h[AW_OFF_ERR] = 0;
	return h;
}

static void aoe_error(struct worker *w, const uint8_t *req, uint8_t err)
{
	uint8_t *h = answer_hdr(w, req, AW_HDR_END);

	h[AW_OFF_VERFL] |= AW_FL_ERR;
	h[AW_OFF_ERR] = err;
	queue_answer(w, AW_HDR_END, NULL, 0);
}

/* ------------------------------------------------------------------- ATA -- */

static void ata_status(uint8_t *h, bool ok)
{
	h[AW_OFF_CMDSTAT] = ok ? AW_ST_OK : AW_ST_FAIL;
	h[AW_OFF_FEAT] = ok ? 0 : AW_ER_ABRT;
}

static void do_rw(struct worker *w, struct unit *u, const uint8_t *req,
		  size_t len, bool write)
{
	unsigned int n = req[AW_OFF_SCNT];
	uint64_t lba = aw_lba(req);
	size_t bytes = (size_t)n * AW_SECTOR;
	uint8_t *h;

	if ((int)n > mtu_sectors(w)) {
		aoe_error(w, req, 2);	/* more than a frame can carry */
		return;
	}
	h = answer_hdr(w, req, AW_ATA_END);
	if (!n || lba + n > u->sectors ||
	    (write && len < AW_ATA_END + bytes)) {
		ata_status(h, false);
		queue_answer(w, AW_ATA_END, NULL, 0);
		return;
	}
	ata_status(h, true);
	if (write) {
		memcpy(u->base + lba * AW_SECTOR, req + AW_ATA_END, bytes);
		queue_answer(w, AW_ATA_END, NULL, 0);
	} else {
		/* Sent from the mapping: sendmmsg copies it into the skb. */
		queue_answer(w, AW_ATA_END, u->base + lba * AW_SECTOR, bytes);
	}
}

static void do_ata(struct worker *w, long k, const uint8_t *req, size_t len)
{
	struct unit *u = &F.units[k];
	uint8_t cmd = req[AW_OFF_CMDSTAT];
	uint16_t shelf;
	uint8_t slot, *h;
	char serial[24], model[48];

	switch (cmd) {
	case AW_ATA_READ:
	case AW_ATA_READ_EXT:
		do_rw(w, u, req, len, false);
		return;
	case AW_ATA_WRITE:
	case AW_ATA_WRITE_EXT:
		do_rw(w, u, req, len, true);
		return;
	}
	h = answer_hdr(w, req, AW_ATA_END);
	ata_status(h, true);
	switch (cmd) {
	case AW_ATA_IDENT:
		unit_addr((unsigned int)k, &shelf, &slot);
		snprintf(serial, sizeof(serial), "AOEFAST%05u%03u", shelf,
			 slot);
		snprintf(model, sizeof(model), "aoefast e%u.%u", shelf, slot);
		aw_ident(h + AW_ATA_END, u->sectors, false, serial, "aoefast1",
			 model);
		queue_answer(w, AW_ATA_END + AW_SECTOR, NULL, 0);
		return;
	case AW_ATA_FLUSH:
	case AW_ATA_FLUSH_EXT:
		break;		/* no cache: the data is in the file */
	case AW_ATA_CHKPWR:
		h[AW_OFF_SCNT] = 0xff;	/* active or idle */
		break;
	default:
		ata_status(h, false);
		break;
	}
	queue_answer(w, AW_ATA_END, NULL, 0);
}

/* ---------------------------------------------------------------- config -- */

/* The config answer of unit @k to @dst, in the next send slot. */
static void cfg_answer(struct worker *w, unsigned int k, const uint8_t *dst,
		       uint32_t tag, uint8_t ccmd, uint8_t err)
{
	struct unit *u = &F.units[k];
	uint8_t *f = w->hbuf[w->nsend];
	uint16_t shelf;
	uint8_t slot;
	unsigned int len;

	unit_addr(k, &shelf, &slot);
	aw_hdr(f, dst, F.mac, AW_VER << 4 | AW_FL_RSP | (err ? AW_FL_ERR : 0),
	       err, shelf, slot, AW_CMD_CFG, tag);
	aw_put16(f + AW_OFF_BUFCNT, (uint16_t)F.bufcnt);
	aw_put16(f + AW_OFF_FWVER, 0x4019);
	f[AW_OFF_CSCNT] = (uint8_t)mtu_sectors(w);
	f[AW_OFF_CCMD] = (uint8_t)(AW_VER << 4 | (ccmd & 0x0f));
	pthread_mutex_lock(&u->cfg_lock);
	len = u->cfglen;
	aw_put16(f + AW_OFF_CSLEN, (uint16_t)len);
	memcpy(f + AW_CFG_END, u->cfg, len);
	pthread_mutex_unlock(&u->cfg_lock);
	queue_answer(w, AW_CFG_END + len, NULL, 0);
}

static void cfg_one(struct worker *w, unsigned int k, const uint8_t *req,
		    size_t len)
{
	struct unit *u = &F.units[k];
	uint8_t ccmd = req[AW_OFF_CCMD] & 0x0f;
	unsigned int cslen = aw_get16(req + AW_OFF_CSLEN);
	int err;

	if (cslen > AW_CFG_STRMAX || AW_CFG_END + (size_t)cslen > len) {
		err = 2;
	} else {
		pthread_mutex_lock(&u->cfg_lock);
		err = aw_cfg_apply(ccmd, req + AW_CFG_END, cslen, u->cfg,
				   &u->cfglen);
		pthread_mutex_unlock(&u->cfg_lock);
	}
	if (err == AW_CFG_SILENT)
		return;
	if (w->nsend == BATCH)
		flush_answers(w);
	cfg_answer(w, k, req + AW_OFF_SRC, aw_get32(req + AW_OFF_TAG), ccmd,
		   (uint8_t)err);
}

/* A query for one address, a whole shelf or everyone (0xffff.0xff). */
static void do_cfg(struct worker *w, uint16_t major, uint8_t minor,
		   const uint8_t *req, size_t len)
{
	unsigned int k;
	uint16_t shelf;
	uint8_t slot;

	for (k = 0; k < F.count; k++) {
		unit_addr(k, &shelf, &slot);
		if ((major == shelf || major == 0xffff) &&
		    (minor == slot || minor == 0xff))
			cfg_one(w, k, req, len);
	}
}

/* ----------------------------------------------------------------- frames -- */

/* Whether @f is a request to us at all. */
static bool frame_for_us(const uint8_t *f, size_t len)
{
	return len >= AW_HDR_END &&
	       (!memcmp(f + AW_OFF_DST, F.mac, 6) ||
		!memcmp(f + AW_OFF_DST, aw_bcast, 6)) &&
	       (f[AW_OFF_VERFL] >> 4) == AW_VER &&
	       !(f[AW_OFF_VERFL] & AW_FL_RSP);
}

/* The unit a request other than config is for, or -1. */
static long frame_unit(const uint8_t *f, size_t len)
{
	if (!frame_for_us(f, len) || f[AW_OFF_CMD] == AW_CMD_CFG)
		return -1;
	return unit_index(aw_get16(f + AW_OFF_MAJOR), f[AW_OFF_MINOR]);
}

/*
 * A received request holds one of its unit's buffers until its answer is
 * built: the initiator cannot send the next one before it has the answer.
 * Workers share a unit when the fanout splits by LBA, hence the atomics.
 */
static void buffer_take(struct worker *w, long k)
{
	if (k >= 0 &&
	    __atomic_add_fetch(&F.units[k].inflight, 1, __ATOMIC_RELAXED) >
	    F.bufcnt)
		w->st.over_bufcnt++;
}

static void buffer_give(long k)
{
	if (k >= 0)
		__atomic_sub_fetch(&F.units[k].inflight, 1, __ATOMIC_RELAXED);
}

static void do_frame(struct worker *w, const uint8_t *f, size_t len, long k)
{
	if (!frame_for_us(f, len)) {
		w->st.ignored++;
		return;
	}
	if (f[AW_OFF_CMD] == AW_CMD_CFG) {
		if (len < AW_CFG_END) {
			w->st.ignored++;
			return;
		}
		/* A config answer per unit may overflow this batch's slots. */
		do_cfg(w, aw_get16(f + AW_OFF_MAJOR), f[AW_OFF_MINOR], f, len);
		return;
	}
	if (k < 0)
		w->st.ignored++;
	else if (f[AW_OFF_CMD] != AW_CMD_ATA)
		aoe_error(w, f, 1);	/* unrecognized command */
	else if (len < AW_ATA_END)
		w->st.ignored++;
	else
		do_ata(w, k, f, len);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	unsigned int i;

	for (i = 0; i < BATCH; i++) {
		w->riov[i].iov_base = w->rbuf[i];
		w->riov[i].iov_len = AW_FRAME_MAX;
		w->rmsg[i].msg_hdr.msg_iov = &w->riov[i];
		w->rmsg[i].msg_hdr.msg_iovlen = 1;
	}
	while (!want_stop) {
		int n = recvmmsg(w->fd, w->rmsg, BATCH, MSG_WAITFORONE, NULL);

		if (n <= 0) {
			if (n < 0 && errno != EAGAIN && errno != EINTR)
				aw_die("recvmmsg: %s", strerror(errno));
			continue;
		}
		w->st.batches++;
		for (i = 0; i < (unsigned int)n; i++) {
			w->unit[i] = frame_unit(w->rbuf[i], w->rmsg[i].msg_len);
			buffer_take(w, w->unit[i]);
		}
		for (i = 0; i < (unsigned int)n; i++) {
			w->st.rx++;
			w->st.rx_bytes += w->rmsg[i].msg_len;
			/* Room for one answer at least. */
			if (w->nsend == BATCH)
				flush_answers(w);
			do_frame(w, w->rbuf[i], w->rmsg[i].msg_len, w->unit[i]);
			buffer_give(w->unit[i]);
		}
		flush_answers(w);
	}
	return NULL;
}

/* ---------------------------------------------------------------- figures -- */

static void sum_stats(struct wstats *t)
{
	unsigned int i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < F.threads; i++) {
		const struct wstats *s = &F.w[i]->st;

		t->rx += s->rx;
		t->tx += s->tx;
		t->rx_bytes += s->rx_bytes;
		t->tx_bytes += s->tx_bytes;
		t->batches += s->batches;
		t->send_waits += s->send_waits;
		t->over_bufcnt += s->over_bufcnt;
		t->ignored += s->ignored;
		t->errors += s->errors;
	}
}

/* Frames the kernel dropped for want of socket buffer, since the start. */
static uint64_t kernel_drops(void)
{
	static uint64_t total;	/* reading the statistics resets them */
	struct tpacket_stats ps;
	socklen_t pl;
	unsigned int i;

	for (i = 0; i < F.threads; i++) {
		pl = sizeof(ps);
		if (!getsockopt(F.w[i]->fd, SOL_PACKET, PACKET_STATISTICS, &ps,
				&pl))
			total += ps.tp_drops;
	}
	return total;
}

static double tv_secs(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static void report(const char *when)
{
	struct wstats t;
	struct rusage ru;
	double secs, cu, cs;

	sum_stats(&t);
	getrusage(RUSAGE_SELF, &ru);
	secs = (double)(aw_now_us() - F.t0_us) / 1e6;
	cu = tv_secs(ru.ru_utime);
	cs = tv_secs(ru.ru_stime);
	printf("aoefast %s: %.1f s: rx %" PRIu64 " frames (%.0f/s, %.1f a batch), tx %" PRIu64
	       " frames, %.1f MB in, %.1f MB out; cpu user %.2f s sys %.2f s (%.0f%% of a CPU); kernel drops %" PRIu64
	       ", over bufcnt %" PRIu64 ", send waits %" PRIu64 ", ignored %" PRIu64 ", send errors %" PRIu64 "\n",
	       when, secs, t.rx, secs > 0 ? (double)t.rx / secs : 0,
	       t.batches ? (double)t.rx / (double)t.batches : 0, t.tx,
	       (double)t.rx_bytes / 1e6, (double)t.tx_bytes / 1e6, cu, cs,
	       secs > 0 ? 100 * (cu + cs) / secs : 0, kernel_drops(),
	       t.over_bufcnt, t.send_waits, t.ignored, t.errors);
	fflush(stdout);
}

/* ------------------------------------------------------------------ main -- */

/* Tell the segment we are here: one config answer per address. */
static void announce(struct worker *w)
{
	unsigned int k;

	for (k = 0; k < F.count; k++) {
		if (w->nsend == BATCH)
			flush_answers(w);
		cfg_answer(w, k, aw_bcast, 0, 0, 0);
	}
	flush_answers(w);
}

static struct worker *new_worker(unsigned int id)
{
	struct worker *w = calloc(1, sizeof(*w));

	if (!w)
		aw_die("out of memory");
	w->id = id;
	w->fd = open_worker_socket();
	return w;
}

static const struct option longopts[] = {
	{ "iface", required_argument, NULL, 'i' },
	{ "file", required_argument, NULL, 'f' },
	{ "addr", required_argument, NULL, 'a' },
	{ "count", required_argument, NULL, 'n' },
	{ "slots", required_argument, NULL, 'S' },
	{ "threads", required_argument, NULL, 't' },
	{ "fanout", required_argument, NULL, 'F' },
	{ "bufcnt", required_argument, NULL, 'b' },
	{ "stats", required_argument, NULL, 's' },
	{ "no-announce", no_argument, NULL, 'N' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void parse_args(int argc, char **argv)
{
	int c;

	while ((c = getopt_long(argc, argv, "i:f:a:n:t:b:h", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'i':
			F.ifname = optarg;
			break;
		case 'f':
			F.path = optarg;
			break;
		case 'a':
			if (aw_parse_addr(optarg, &F.shelf, &F.slot))
				aw_die("bad --addr '%s' (SHELF.SLOT)", optarg);
			break;
		case 'n':
			F.count = (unsigned int)aw_num("--count", optarg, 65535);
			break;
		case 'S':
			F.slots_per_shelf = (unsigned int)aw_num("--slots",
								 optarg, 255);
			break;
		case 't':
			F.threads = (unsigned int)aw_num("--threads", optarg,
							 MAX_THREADS);
			break;
		case 'F':
			if (!strcmp(optarg, "lb"))
				F.fanout = FANOUT_LB;
			else if (!strcmp(optarg, "lba"))
				F.fanout = FANOUT_LBA;
			else if (strcmp(optarg, "addr"))
				aw_die("bad --fanout '%s' (addr, lba, lb)",
				       optarg);
			break;
		case 'b':
			F.bufcnt = (unsigned int)aw_num("--bufcnt", optarg,
							0xffff);
			break;
		case 's':
			F.stats_secs = (unsigned int)aw_num("--stats", optarg,
							    86400);
			break;
		case 'N':
			F.announce = false;
			break;
		case 'h':
			usage(0);
			break;
		default:
			usage(2);
		}
	}
	if (!F.ifname || !F.path || optind != argc)
		usage(2);
	if (!F.count || !F.threads || !F.bufcnt || !F.slots_per_shelf ||
	    F.slot >= F.slots_per_shelf)
		aw_die("--count, --threads, --bufcnt and --slots must be > 0, and the first slot below --slots");
	if (F.shelf + (F.slot + F.count - 1) / F.slots_per_shelf > 0xfffe)
		aw_die("%u addresses from e%u.%u pass shelf 65534", F.count,
		       F.shelf, F.slot);
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	uint64_t next = 0;
	unsigned int i;
	char macs[18];

	aw_prog = "aoefast";
	parse_args(argc, argv);
	map_file();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: recvmmsg returns */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	for (i = 0; i < F.threads; i++)
		F.w[i] = new_worker(i);
	if (F.threads > 1 && F.fanout != FANOUT_LB)
		fanout_by_key(F.w[0]->fd, F.fanout == FANOUT_LBA);
	printf("aoefast: %u address(es) from e%u.%u on %s (%s), %llu sectors each, bufcnt %u, %u thread(s)\n",
	       F.count, F.shelf, F.slot, F.ifname, aw_mac_str(F.mac, macs),
	       (unsigned long long)F.units[0].sectors, F.bufcnt, F.threads);
	fflush(stdout);
	F.t0_us = aw_now_us();
	if (F.announce)
		announce(F.w[0]);
	for (i = 0; i < F.threads; i++)
		if (pthread_create(&F.w[i]->thr, NULL, worker_main, F.w[i]))
			aw_die("pthread_create failed");
	if (F.stats_secs)
		next = aw_now_us() + F.stats_secs * 1000000ull;
	while (!want_stop) {
		aw_sleep_us(RCV_TIMEOUT_MS * 1000);
		if (want_report || (next && aw_now_us() >= next)) {
			want_report = 0;
			report("running");
			if (next)
				next += F.stats_secs * 1000000ull;
		}
	}
	for (i = 0; i < F.threads; i++)
		pthread_join(F.w[i]->thr, NULL);
	report("exit");
	return 0;
}
