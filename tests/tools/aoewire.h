/* SPDX-License-Identifier: GPL-2.0 */
/*
 * aoewire.h: what aoetgt and aoehostile share. The AoE wire layout as byte
 * offsets into an Ethernet frame (written from the AoE r11 specification, on
 * purpose independent of the driver's aoeproto.h so that the tools check the
 * driver rather than share its reading of the spec), a raw AF_PACKET socket
 * on one interface, a seeded PRNG, monotonic time and small parsers.
 *
 * Header-only: every function is static.
 */
#ifndef AOEWIRE_H
#define AOEWIRE_H

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define AW_ETH_P_AOE	0x88a2
#define AW_ETH_HLEN	14
#define AW_ETH_ZLEN	60	/* minimum Ethernet frame without FCS */
#define AW_FRAME_MAX	65536	/* receive buffer: larger than any MTU here */

/* Common header: offsets from the start of the Ethernet frame. */
#define AW_OFF_DST	0
#define AW_OFF_SRC	6
#define AW_OFF_TYPE	12
#define AW_OFF_VERFL	14
#define AW_OFF_ERR	15
#define AW_OFF_MAJOR	16
#define AW_OFF_MINOR	18
#define AW_OFF_CMD	19
#define AW_OFF_TAG	20
#define AW_HDR_END	24

/* ATA argument (command 0). */
#define AW_OFF_AFLAGS	24
#define AW_OFF_FEAT	25	/* feature (request) / error (response) */
#define AW_OFF_SCNT	26
#define AW_OFF_CMDSTAT	27	/* command (request) / status (response) */
#define AW_OFF_LBA	28	/* 6 bytes, least significant first */
#define AW_ATA_END	36	/* data starts here */

/* Query config argument (command 1). */
#define AW_OFF_BUFCNT	24
#define AW_OFF_FWVER	26
#define AW_OFF_CSCNT	28
#define AW_OFF_CCMD	29
#define AW_OFF_CSLEN	30
#define AW_CFG_END	32	/* config string starts here */
#define AW_CFG_STRMAX	1024

#define AW_VER		1
#define AW_FL_RSP	0x08
#define AW_FL_ERR	0x04

#define AW_CMD_ATA	0
#define AW_CMD_CFG	1
#define AW_CMD_MASK	2
#define AW_CMD_RESERVE	3

#define AW_AFL_EXT	0x40
#define AW_AFL_DEV	0x10
#define AW_AFL_ASYNC	0x02
#define AW_AFL_WRITE	0x01

#define AW_ATA_READ	0x20
#define AW_ATA_READ_EXT	0x24
#define AW_ATA_WRITE	0x30
#define AW_ATA_WRITE_EXT 0x34
#define AW_ATA_IDENT	0xec
#define AW_ATA_FLUSH	0xe7
#define AW_ATA_FLUSH_EXT 0xea
#define AW_ATA_CHKPWR	0xe5

#define AW_ST_DRDY	0x40
#define AW_ST_ERR	0x01
#define AW_ST_OK	0x50	/* DRDY | DSC */
#define AW_ST_FAIL	0x51	/* DRDY | DSC | ERR */
#define AW_ER_ABRT	0x04

#define AW_TAG_USER	0x80000000u
#define AW_SECTOR	512

static const uint8_t aw_bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* ------------------------------------------------------------ bytes --- */

static inline uint16_t aw_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t aw_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline void aw_put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static inline void aw_put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

/* Little-endian 16-bit word @w of IDENTIFY data. */
static inline void aw_id_put(uint8_t *id, unsigned int w, uint16_t v)
{
	id[2 * w] = v & 0xff;
	id[2 * w + 1] = v >> 8;
}

/* ATA string: two characters per word, first one in the high byte. */
static inline void aw_id_str(uint8_t *id, unsigned int w, unsigned int nw,
			     const char *s)
{
	size_t n = strlen(s);
	unsigned int i;

	for (i = 0; i < 2 * nw; i++) {
		char c = i < n ? s[i] : ' ';

		id[2 * w + (i ^ 1)] = (uint8_t)c;
	}
}

/* Ethernet and AoE common header into @f. */
static inline void aw_hdr(uint8_t *f, const uint8_t *dst, const uint8_t *src,
			  uint8_t verfl, uint8_t err, uint16_t major,
			  uint8_t minor, uint8_t cmd, uint32_t tag)
{
	memcpy(f + AW_OFF_DST, dst, 6);
	memcpy(f + AW_OFF_SRC, src, 6);
	aw_put16(f + AW_OFF_TYPE, AW_ETH_P_AOE);
	f[AW_OFF_VERFL] = verfl;
	f[AW_OFF_ERR] = err;
	aw_put16(f + AW_OFF_MAJOR, major);
	f[AW_OFF_MINOR] = minor;
	f[AW_OFF_CMD] = cmd;
	aw_put32(f + AW_OFF_TAG, tag);
}

/* LBA of an ATA request: 48 bits with the E flag, else 28. */
static inline uint64_t aw_lba(const uint8_t *f)
{
	const uint8_t *l = f + AW_OFF_LBA;
	uint64_t v = 0;
	int i;

	if (f[AW_OFF_AFLAGS] & AW_AFL_EXT) {
		for (i = 5; i >= 0; i--)
			v = v << 8 | l[i];
		return v;
	}
	return (uint64_t)(l[3] & 0x0f) << 24 | (uint64_t)l[2] << 16 |
	       (uint64_t)l[1] << 8 | l[0];
}

/*
 * IDENTIFY DEVICE data for a disk of @sectors: LBA48, DMA, ATA-4..7, and a
 * write cache (with FLUSH CACHE EXT) only when @wcache. @serial (20
 * characters at most), @fw (8) and @model (40) are ATA strings.
 */
static inline void aw_ident(uint8_t *id, uint64_t sectors, bool wcache,
			    const char *serial, const char *fw,
			    const char *model)
{
	uint64_t lba28 = sectors > 0x0fffffff ? 0x0fffffff : sectors;
	int i;

	memset(id, 0, AW_SECTOR);
	aw_id_put(id, 0, 0x0040);		/* fixed device */
	aw_id_put(id, 1, 16383);
	aw_id_put(id, 3, 16);
	aw_id_put(id, 6, 63);
	aw_id_str(id, 10, 10, serial);
	aw_id_str(id, 23, 4, fw);
	aw_id_str(id, 27, 20, model);
	aw_id_put(id, 47, 0x8001);
	aw_id_put(id, 49, 0x0300);		/* LBA, DMA */
	aw_id_put(id, 53, 0x0006);
	aw_id_put(id, 60, lba28 & 0xffff);
	aw_id_put(id, 61, (lba28 >> 16) & 0xffff);
	aw_id_put(id, 80, 0x00f0);		/* ATA-4 .. ATA-7 */
	aw_id_put(id, 82, wcache ? 0x0020 : 0);
	aw_id_put(id, 83, wcache ? 0x7400 : 0x5400);
	aw_id_put(id, 84, 0x4000);
	aw_id_put(id, 85, wcache ? 0x0020 : 0);
	aw_id_put(id, 86, wcache ? 0x3400 : 0x1400);
	aw_id_put(id, 87, 0x4000);
	for (i = 0; i < 4; i++)
		aw_id_put(id, 100 + i, (sectors >> (16 * i)) & 0xffff);
}

#define AW_CFG_SILENT	(-1)	/* a test that did not match: no answer */

/*
 * What a query config request (subcommand @ccmd, string @cs of @cslen
 * bytes, already checked to fit the frame and AW_CFG_STRMAX) does to the
 * config string @cur of *@curlen bytes: 0 (answer), an AoE error code to
 * answer with, or AW_CFG_SILENT. Sets the string for "set" and "force".
 */
static inline int aw_cfg_apply(uint8_t ccmd, const uint8_t *cs,
			       unsigned int cslen, uint8_t *cur,
			       unsigned int *curlen)
{
	switch (ccmd) {
	case 0:	/* read */
		return 0;
	case 1:	/* test: exact match */
		if (cslen != *curlen || memcmp(cs, cur, cslen))
			return AW_CFG_SILENT;
		return 0;
	case 2:	/* prefix test */
		if (cslen > *curlen || memcmp(cs, cur, cslen))
			return AW_CFG_SILENT;
		return 0;
	case 3:	/* set if empty */
		if (*curlen && (cslen != *curlen || memcmp(cs, cur, cslen)))
			return 4;	/* config string present */
		/* fall through */
	case 4:	/* force set */
		memcpy(cur, cs, cslen);
		*curlen = cslen;
		return 0;
	default:
		return 2;		/* bad argument */
	}
}

/* ------------------------------------------------------------- misc --- */

static const char *aw_prog = "aoetool";

static void aw_die(const char *fmt, ...) __attribute__((format(printf, 1, 2),
							 noreturn));
static void aw_die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", aw_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static inline uint64_t aw_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static inline void aw_sleep_us(uint64_t us)
{
	struct timespec ts = {
		.tv_sec = (time_t)(us / 1000000u),
		.tv_nsec = (long)(us % 1000000u) * 1000,
	};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* splitmix64: small, seedable, the same sequence on every machine. */
struct aw_rng {
	uint64_t s;
};

static inline uint64_t aw_rand(struct aw_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [0, n); n > 0. */
static inline uint32_t aw_randn(struct aw_rng *r, uint32_t n)
{
	return (uint32_t)(aw_rand(r) % n);
}

/* True with probability @pct percent (0..100). */
static inline bool aw_chance(struct aw_rng *r, double pct)
{
	if (pct <= 0)
		return false;
	return (double)(aw_rand(r) % 1000000u) < pct * 10000.0;
}

/* A random unicast, locally administered MAC address. */
static inline void aw_rand_mac(struct aw_rng *r, uint8_t *mac)
{
	uint64_t v = aw_rand(r);
	int i;

	for (i = 0; i < 6; i++)
		mac[i] = (v >> (8 * i)) & 0xff;
	mac[0] = (uint8_t)((mac[0] & 0xfe) | 0x02);
}

static inline int aw_parse_mac(const char *s, uint8_t *mac)
{
	unsigned int b[6];
	char tail;
	int i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &tail) != 6)
		return -1;
	for (i = 0; i < 6; i++) {
		if (b[i] > 0xff)
			return -1;
		mac[i] = (uint8_t)b[i];
	}
	return 0;
}

static inline const char *aw_mac_str(const uint8_t *m, char *buf)
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
		 m[3], m[4], m[5]);
	return buf;
}

/* Unsigned number with an optional 0x prefix; exits on junk. */
static inline uint64_t aw_num(const char *what, const char *s, uint64_t max)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || v > max || *s == '-')
		aw_die("bad %s: '%s' (0..%" PRIu64 ")", what, s, max);
	return v;
}

/* "SHELF.SLOT", optionally with a leading 'e'. */
static inline int aw_parse_addr(const char *s, uint16_t *shelf, uint8_t *slot)
{
	unsigned long a, b;
	char *end;

	if (*s == 'e')
		s++;
	errno = 0;
	a = strtoul(s, &end, 10);
	if (errno || end == s || *end != '.' || a > 0xfffe)
		return -1;
	s = end + 1;
	b = strtoul(s, &end, 10);
	if (errno || end == s || *end || b > 0xfe)
		return -1;
	*shelf = (uint16_t)a;
	*slot = (uint8_t)b;
	return 0;
}

/* ----------------------------------------------------------- socket --- */

struct aw_sock {
	int fd;
	int ifindex;
	char ifname[IFNAMSIZ];
	uint8_t mac[6];
};

/* Raw socket for ethertype 0x88A2 bound to @ifname; exits on failure. */
static inline void aw_open(struct aw_sock *s, const char *ifname)
{
	struct sockaddr_ll sll;
	struct ifreq ifr;

	if (strlen(ifname) >= IFNAMSIZ)
		aw_die("interface name too long: %s", ifname);
	snprintf(s->ifname, sizeof(s->ifname), "%s", ifname);
	s->fd = socket(AF_PACKET, SOCK_RAW, htons(AW_ETH_P_AOE));
	if (s->fd < 0)
		aw_die("socket(AF_PACKET): %s", strerror(errno));
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(s->fd, SIOCGIFINDEX, &ifr) < 0)
		aw_die("%s: %s", ifname, strerror(errno));
	s->ifindex = ifr.ifr_ifindex;
	if (ioctl(s->fd, SIOCGIFHWADDR, &ifr) < 0)
		aw_die("%s: SIOCGIFHWADDR: %s", ifname, strerror(errno));
	memcpy(s->mac, ifr.ifr_hwaddr.sa_data, 6);
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(AW_ETH_P_AOE);
	sll.sll_ifindex = s->ifindex;
	if (bind(s->fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		aw_die("bind %s: %s", ifname, strerror(errno));
}

static inline int aw_mtu(const struct aw_sock *s)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", s->ifname);
	if (ioctl(s->fd, SIOCGIFMTU, &ifr) < 0)
		return 1500;
	return ifr.ifr_mtu;
}

/*
 * Send @len bytes (a whole Ethernet frame). Retries briefly while the
 * device queue is full. Returns 0, or -1 with errno set.
 */
static inline int aw_send(const struct aw_sock *s, const uint8_t *f,
			  size_t len)
{
	int tries = 0;

	for (;;) {
		ssize_t n = send(s->fd, f, len, 0);

		if (n == (ssize_t)len)
			return 0;
		if (n >= 0) {
			errno = EMSGSIZE;
			return -1;
		}
		if ((errno == ENOBUFS || errno == EAGAIN) && tries++ < 100) {
			aw_sleep_us(1000);
			continue;
		}
		if (errno == EINTR)
			continue;
		return -1;
	}
}

/*
 * Receive one frame into @buf (at least AW_FRAME_MAX bytes), waiting at most
 * @timeout_ms (-1: forever). Returns its length, 0 on timeout or on a frame
 * to skip (one we sent), -1 on an error other than EINTR (EINTR gives 0).
 */
static inline ssize_t aw_recv(const struct aw_sock *s, uint8_t *buf,
			      int timeout_ms)
{
	struct pollfd p = { .fd = s->fd, .events = POLLIN };
	struct sockaddr_ll from;
	socklen_t fl = sizeof(from);
	ssize_t n;
	int r;

	r = poll(&p, 1, timeout_ms);
	if (r <= 0)
		return (r < 0 && errno != EINTR) ? -1 : 0;
	n = recvfrom(s->fd, buf, AW_FRAME_MAX, MSG_DONTWAIT,
		     (struct sockaddr *)&from, &fl);
	if (n < 0)
		return (errno == EINTR || errno == EAGAIN) ? 0 : -1;
	if (from.sll_pkttype == PACKET_OUTGOING)
		return 0;
	return n;
}

#endif /* AOEWIRE_H */
