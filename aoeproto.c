// SPDX-License-Identifier: GPL-2.0
/*
 * Protocol logic without kernel state; see aoeproto.h. Also built by the
 * userspace unit tests and the fuzzer, so it uses nothing but the types and
 * byte-order helpers that kshim.h provides there.
 */
#include "aoeproto.h"

static u16 id_word(const u8 *id, unsigned int w)
{
	return id[2 * w] | (id[2 * w + 1] << 8);
}

/* Words 83 and 86 carry 01 in bits 15:14 when their contents are valid. */
static bool id_word_valid(u16 w)
{
	return (w & 0xc000) == 0x4000;
}

void aoe_hdr_build(struct aoe_hdr *h, u16 shelf, u8 slot, u8 cmd, u32 tag)
{
	h->verfl = AOE_PROTO_VER << 4;
	h->err = 0;
	h->major = cpu_to_be16(shelf);
	h->minor = slot;
	h->cmd = cmd;
	h->tag = cpu_to_be32(tag);
}

void aoe_ata_build_rw(struct aoe_ata *a, u64 lba, u8 nsect, bool write,
		      bool lba48)
{
	unsigned int i;

	memset(a, 0, sizeof(*a));
	a->scnt = nsect;
	for (i = 0; i < 6; i++)
		a->lba[i] = (lba >> (8 * i)) & 0xff;
	if (lba48) {
		a->aflags = AOE_AFL_EXT;
		a->cmdstat = write ? ATA_CMD_WRITE48 : ATA_CMD_READ48;
	} else {
		/* LBA bits 24-27 share their byte with the mode bits. */
		a->lba[3] = (a->lba[3] & 0x0f) | ATA_LBA28_MODE;
		a->lba[4] = 0;
		a->lba[5] = 0;
		a->cmdstat = write ? ATA_CMD_WRITE28 : ATA_CMD_READ28;
	}
	if (write)
		a->aflags |= AOE_AFL_WRITE;
}

void aoe_ata_build_cmd(struct aoe_ata *a, u8 cmd, u8 nsect)
{
	memset(a, 0, sizeof(*a));
	a->scnt = nsect;
	a->cmdstat = cmd;
	if (cmd == ATA_CMD_FLUSH48)
		a->aflags = AOE_AFL_EXT;
	else
		a->lba[3] = ATA_LBA28_MODE;
}

void aoe_cfg_build_query(struct aoe_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->ver_ccmd = (AOE_PROTO_VER << 4) | AOE_CCMD_READ;
}

/*
 * Fill a reserve/release argument and the MAC list after it; the caller
 * has room for AOE_RSV_HLEN + @nmacs * ETH_ALEN bytes from the header on.
 * Returns the argument's length, list included.
 */
size_t aoe_rsv_build(struct aoe_rsv *r, u8 rcmd, const u8 *macs,
		     unsigned int nmacs)
{
	u8 *list = (u8 *)(r + 1);

	if (nmacs > AOE_RSV_MACS_MAX)
		nmacs = AOE_RSV_MACS_MAX;
	r->rcmd = rcmd;
	r->nmacs = nmacs;
	if (nmacs)
		memcpy(list, macs, nmacs * ETH_ALEN);
	return sizeof(*r) + nmacs * ETH_ALEN;
}

static bool mac_in(const u8 *mac, const u8 *set, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!memcmp(mac, set + i * ETH_ALEN, ETH_ALEN))
			return true;
	return false;
}

/*
 * @buf starts at the common header. The list is "ours" when it is not
 * empty and holds only MACs of @mine: then releasing it takes nothing
 * from another host.
 */
int aoe_rsv_parse(const void *buf, size_t len, const u8 *mine,
		  unsigned int nmine, struct aoe_rsv_info *ri)
{
	const struct aoe_rsv *r;
	const u8 *list;
	unsigned int i;

	if (len < AOE_RSV_HLEN)
		return -EINVAL;
	r = (const struct aoe_rsv *)((const u8 *)buf + sizeof(struct aoe_hdr));
	if (len < AOE_RSV_HLEN + (size_t)r->nmacs * ETH_ALEN)
		return -EINVAL;
	list = (const u8 *)(r + 1);
	ri->nmacs = r->nmacs;
	ri->ours = r->nmacs > 0;
	for (i = 0; i < r->nmacs; i++) {
		if (i < AOE_RSV_KEEP)
			memcpy(ri->macs[i], list + i * ETH_ALEN, ETH_ALEN);
		if (!mac_in(list + i * ETH_ALEN, mine, nmine))
			ri->ours = false;
	}
	return 0;
}

/*
 * Check the common header of a received frame. Only responses of protocol
 * version 1 are of interest, and tags marked as user space's are not ours.
 * One exception: vblade announces itself at start with a config answer whose
 * header version is 0 (aoe_cfg_parse() then checks the config's own version).
 */
int aoe_rsp_check(const void *buf, size_t len, struct aoe_rsp_info *ri)
{
	const struct aoe_hdr *h = buf;
	unsigned int ver;
	u32 tag;

	if (len < sizeof(*h))
		return -EINVAL;
	ver = h->verfl >> 4;
	if (ver != AOE_PROTO_VER && !(ver == 0 && h->cmd == AOE_CMD_CFG))
		return -EPROTO;
	if (!(h->verfl & AOE_HFL_RSP))
		return -EPROTO;
	tag = be32_to_cpu(h->tag);
	if (tag & AOE_TAG_USER)
		return -EPERM;
	ri->shelf = be16_to_cpu(h->major);
	ri->slot = h->minor;
	ri->cmd = h->cmd;
	ri->tag = tag;
	ri->error = 0;
	if (h->verfl & AOE_HFL_ERR)
		ri->error = (h->err > 0 && h->err < AOE_ERR_MAX) ?
			    h->err : AOE_ERR_MAX;
	if (ri->shelf == AOE_BCAST_SHELF || ri->slot == AOE_BCAST_SLOT)
		return -EINVAL;
	return 0;
}

/* @buf starts at the common header. */
int aoe_cfg_parse(const void *buf, size_t len, struct aoe_cfg_info *ci)
{
	const struct aoe_cfg *c;
	unsigned int cslen;

	if (len < AOE_CFG_HLEN)
		return -EINVAL;
	c = (const struct aoe_cfg *)((const u8 *)buf + sizeof(struct aoe_hdr));
	if ((((const struct aoe_hdr *)buf)->verfl >> 4) == 0 &&
	    (c->ver_ccmd >> 4) != AOE_PROTO_VER)
		return -EPROTO;
	cslen = be16_to_cpu(c->cslen);
	if (cslen > AOE_CFG_STRMAX || len < AOE_CFG_HLEN + cslen)
		return -EINVAL;
	ci->bufcnt = be16_to_cpu(c->bufcnt);
	if (!ci->bufcnt)
		ci->bufcnt = 1;
	ci->fwver = be16_to_cpu(c->fwver);
	ci->scnt = c->scnt ? c->scnt : 2;
	return 0;
}

bool aoe_ata_failed(const struct aoe_ata *a)
{
	return (a->cmdstat & ATA_ST_FAILED) != 0;
}

void aoe_ident_parse(const u8 *id, struct aoe_ident_info *ii)
{
	u16 w82 = id_word(id, 82), w83 = id_word(id, 83);
	u16 w85 = id_word(id, 85), w86 = id_word(id, 86);
	u16 w87 = id_word(id, 87);
	u64 s48 = 0;
	int i;

	memset(ii, 0, sizeof(*ii));
	if (id_word_valid(w83)) {
		ii->lba48 = (w83 & (1 << 10)) != 0;
		ii->flush_ext = (w83 & (1 << 13)) != 0;
		ii->wcache = (w82 & (1 << 5)) && (w85 & (1 << 5));
		/* Words 85-87 are valid when word 87 says so; 86 is "enabled". */
		if (id_word_valid(w87) && !(w86 & (1 << 10)))
			ii->lba48 = false;
	}
	for (i = 3; i >= 0; i--)
		s48 = (s48 << 16) | id_word(id, 100 + i);
	if (ii->lba48 && s48)
		ii->sectors = s48;
	else
		ii->sectors = ((u32)id_word(id, 61) << 16) | id_word(id, 60);
	/* Six LBA bytes (or 28 bits) is all a command can address. */
	if (ii->lba48 && ii->sectors > AOE_LBA48_LIMIT)
		ii->sectors = AOE_LBA48_LIMIT;
	if (!ii->lba48 && ii->sectors > ATA_LBA28_MAX + 1)
		ii->sectors = ATA_LBA28_MAX + 1;
}

/*
 * Sectors one data frame may carry through an interface of @mtu to a target
 * that accepts @target_scnt per command; 0 when not even one fits.
 */
unsigned int aoe_frame_sectors(unsigned int mtu, unsigned int target_scnt)
{
	unsigned int n;

	if (mtu <= AOE_MTU_OVERHEAD)
		return 0;
	n = (mtu - AOE_MTU_OVERHEAD) / AOE_SECTOR_SIZE;
	if (target_scnt && n > target_scnt)
		n = target_scnt;
	if (n > AOE_MAX_SECT_FRAME)
		n = AOE_MAX_SECT_FRAME;
	return n;
}

void aoe_rtt_init(struct aoe_rtt *r)
{
	r->srtt = 0;
	r->rttvar = 0;
}

/* Jacobson/Karels: gains of 1/8 for the mean and 1/4 for the deviation. */
void aoe_rtt_sample(struct aoe_rtt *r, u32 sample_us)
{
	s64 err;
	u32 dev;

	if (!sample_us)
		sample_us = 1;
	if (!r->srtt) {
		r->srtt = sample_us;
		r->rttvar = sample_us / 2;
		return;
	}
	err = (s64)sample_us - r->srtt;
	r->srtt = (u32)((s64)r->srtt + err / 8);
	if (!r->srtt)
		r->srtt = 1;
	dev = (u32)(err < 0 ? -err : err);
	r->rttvar = (u32)((s64)r->rttvar + ((s64)dev - r->rttvar) / 4);
}

u32 aoe_rtt_rto(const struct aoe_rtt *r)
{
	u64 rto;

	if (!r->srtt)
		return AOE_RTO_INIT_US;
	rto = (u64)r->srtt + 4ULL * r->rttvar;
	if (rto < AOE_RTO_MIN_US)
		rto = AOE_RTO_MIN_US;
	if (rto > AOE_RTO_MAX_US)
		rto = AOE_RTO_MAX_US;
	return (u32)rto;
}

#define AOE_CWND_INIT	4

void aoe_win_init(struct aoe_win *w, u32 limit)
{
	w->limit = limit ? limit : 1;
	w->cwnd = w->limit < AOE_CWND_INIT ? w->limit : AOE_CWND_INIT;
	w->ssthresh = w->limit;
	w->acked = 0;
	w->prior_cwnd = 0;
	w->prior_ssthresh = 0;
}

/*
 * A new limit (the target's buffer count, or aoe_maxout). A slow-start
 * threshold no loss has lowered follows the limit up as well as down.
 */
void aoe_win_set_limit(struct aoe_win *w, u32 limit)
{
	bool untouched = w->ssthresh >= w->limit;

	w->limit = limit ? limit : 1;
	if (untouched || w->ssthresh > w->limit)
		w->ssthresh = w->limit;
	if (w->cwnd > w->limit)
		w->cwnd = w->limit;
}

/* Slow start below ssthresh, then one frame more per window answered. */
void aoe_win_ack(struct aoe_win *w)
{
	if (w->cwnd < w->ssthresh) {
		w->cwnd++;
	} else if (++w->acked >= w->cwnd) {
		w->acked = 0;
		w->cwnd++;
	}
	if (w->cwnd > w->limit)
		w->cwnd = w->limit;
}

void aoe_win_loss(struct aoe_win *w)
{
	w->prior_cwnd = w->cwnd;
	w->prior_ssthresh = w->ssthresh;
	w->cwnd = w->cwnd > 1 ? w->cwnd / 2 : 1;
	w->ssthresh = w->cwnd > 2 ? w->cwnd : 2;
	w->acked = 0;
}

/*
 * The last cut was for a frame that was not lost, only late (its first
 * answer arrived after the resend): go back to the window before the cut.
 * Only once per cut, and never above the current limit.
 */
void aoe_win_undo(struct aoe_win *w)
{
	if (!w->prior_cwnd)
		return;
	if (w->cwnd < w->prior_cwnd)
		w->cwnd = w->prior_cwnd;
	if (w->ssthresh < w->prior_ssthresh)
		w->ssthresh = w->prior_ssthresh;
	if (w->cwnd > w->limit)
		w->cwnd = w->limit;
	if (w->ssthresh > w->limit)
		w->ssthresh = w->limit;
	w->prior_cwnd = 0;
	w->prior_ssthresh = 0;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int parse_uint(const char **p, const char *end, u32 max, u32 *out)
{
	u32 v = 0;

	if (*p >= end || !is_digit(**p))
		return -EINVAL;
	while (*p < end && is_digit(**p)) {
		v = v * 10 + (u32)(**p - '0');
		if (v > max)
			return -EINVAL;
		(*p)++;
	}
	*out = v;
	return 0;
}

/*
 * Parse "eS.L" as written by aoe-flush and aoe-revalidate. A trailing
 * newline and NUL bytes are accepted; anything else is an error.
 */
int aoe_name_parse(const char *s, size_t len, u16 *shelf, u8 *slot)
{
	const char *p = s, *end = s + len;
	u32 sh, sl;

	while (end > p && (end[-1] == '\0' || end[-1] == '\n'))
		end--;
	if (p < end && *p == 'e')
		p++;
	if (parse_uint(&p, end, AOE_BCAST_SHELF - 1, &sh))
		return -EINVAL;
	if (p >= end || *p != '.')
		return -EINVAL;
	p++;
	if (parse_uint(&p, end, AOE_BCAST_SLOT - 1, &sl))
		return -EINVAL;
	if (p != end)
		return -EINVAL;
	*shelf = (u16)sh;
	*slot = (u8)sl;
	return 0;
}

static bool is_ifsep(char c)
{
	return c == ' ' || c == ',' || c == '\t' || c == '\n' || c == '\0';
}

/*
 * Split an interface list ("eth0 eth1", "eth0,eth1", NUL-terminated or not)
 * into @names. Returns the count, or -EINVAL for a name too long for
 * IFNAMSIZ or more than @max names.
 */
int aoe_iflist_parse(const char *s, size_t len, char names[][IFNAMSIZ],
		     int max)
{
	size_t i = 0, start, n;
	int count = 0;

	while (i < len) {
		while (i < len && is_ifsep(s[i]))
			i++;
		if (i >= len)
			break;
		start = i;
		while (i < len && !is_ifsep(s[i]))
			i++;
		n = i - start;
		if (n >= IFNAMSIZ || count >= max)
			return -EINVAL;
		memcpy(names[count], s + start, n);
		names[count][n] = '\0';
		count++;
	}
	return count;
}
