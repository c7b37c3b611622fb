/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AoE wire format (AoE specification r11) and the protocol logic that has no
 * kernel state: header building and checking, IDENTIFY parsing, tag encoding,
 * the round-trip estimator, the congestion window and the parsing of names
 * and interface lists written by user space.
 *
 * This header and aoeproto.c compile both in the kernel and in the userspace
 * unit tests (tests/unit), which supply the kernel's basic types through
 * their own kshim.h. Nothing here may sleep, allocate or take a lock.
 */
#ifndef AOEPROTO_H
#define AOEPROTO_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/if_ether.h>
#include <linux/if.h>
#include <linux/errno.h>
#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/string.h>
#include <asm/byteorder.h>
#else
#include "kshim.h"
#endif

#ifndef ETH_P_AOE
#define ETH_P_AOE		0x88a2
#endif

#define AOE_PROTO_VER		1
#define AOE_HFL_RSP		0x08	/* response */
#define AOE_HFL_ERR		0x04	/* error: see enum aoe_error */

/*
 * Tags with bit 31 set belong to user-space tools (aoeping, aoecfg). The
 * driver's own: a 23-bit generation above an 8-bit frame index.
 */
#define AOE_TAG_USER		0x80000000u
#define AOE_TAG_IDX_BITS	8
#define AOE_TAG_IDX_MASK	((1u << AOE_TAG_IDX_BITS) - 1)
#define AOE_TAG_GEN_MASK	(~AOE_TAG_USER >> AOE_TAG_IDX_BITS)

#define AOE_BCAST_SHELF		0xffff
#define AOE_BCAST_SLOT		0xff

enum aoe_command {
	AOE_CMD_ATA	= 0,
	AOE_CMD_CFG	= 1,
	AOE_CMD_MASK	= 2,
	AOE_CMD_RESERVE	= 3,
};

enum aoe_error {
	AOE_ERR_BADCMD		= 1,
	AOE_ERR_BADARG		= 2,
	AOE_ERR_DEVUNAVAIL	= 3,
	AOE_ERR_CFGSET		= 4,
	AOE_ERR_BADVER		= 5,
	AOE_ERR_RESERVED	= 6,
	AOE_ERR_MAX		= 7,	/* codes above are counted as "other" */
};

/* ATA argument flags */
#define AOE_AFL_EXT		0x40	/* LBA48 */
#define AOE_AFL_WRITE		0x01

/* ATA commands and status bits */
#define ATA_CMD_READ28		0x20
#define ATA_CMD_READ48		0x24
#define ATA_CMD_WRITE28		0x30
#define ATA_CMD_WRITE48		0x34
#define ATA_CMD_IDENT		0xec
#define ATA_CMD_FLUSH28		0xe7
#define ATA_CMD_FLUSH48		0xea
#define ATA_ST_BSY		0x80
#define ATA_ST_DF		0x20
#define ATA_ST_DRQ		0x08
#define ATA_ST_ERR		0x01
#define ATA_ST_FAILED		(ATA_ST_BSY | ATA_ST_DF | ATA_ST_DRQ | ATA_ST_ERR)
#define ATA_LBA28_MODE		0xe0	/* LBA mode plus the obsolete bits */
#define ATA_LBA28_MAX		((1ULL << 28) - 1)
#define AOE_LBA48_LIMIT		BIT_ULL(48)

/* Config subcommands (low nibble of aoe_cfg.ver_ccmd) */
#define AOE_CCMD_READ		0
#define AOE_CFG_STRMAX		1024

#define AOE_SECTOR_SIZE		512
#define AOE_IDENT_SIZE		512
#define AOE_MAX_SECT_FRAME	255	/* one byte of sector count */

/* Common header, after the Ethernet header. */
struct aoe_hdr {
	u8 verfl;
	u8 err;
	__be16 major;
	u8 minor;
	u8 cmd;
	__be32 tag;
} __packed;

/* ATA argument, after struct aoe_hdr. */
struct aoe_ata {
	u8 aflags;
	u8 errfeat;
	u8 scnt;
	u8 cmdstat;
	u8 lba[6];
	u8 res[2];
} __packed;

/* Query config argument, after struct aoe_hdr. */
struct aoe_cfg {
	__be16 bufcnt;
	__be16 fwver;
	u8 scnt;
	u8 ver_ccmd;
	__be16 cslen;
} __packed;

/*
 * Reserve/release argument, after struct aoe_hdr, then @nmacs MAC addresses.
 * A target with a non-empty reserve list answers every command but IDENTIFY
 * from a MAC not on it with AOE_ERR_RESERVED. The answer carries the list
 * as it is after the command.
 */
struct aoe_rsv {
	u8 rcmd;
	u8 nmacs;
} __packed;

enum aoe_rsv_cmd {
	AOE_RCMD_READ	= 0,	/* only report the list */
	AOE_RCMD_SET	= 1,	/* if the list is empty or holds the sender */
	AOE_RCMD_FORCE	= 2,	/* unconditionally */
};

/* The list's length is one byte. */
#define AOE_RSV_MACS_MAX	255

#define AOE_ETH_HLEN		14
#define AOE_ATA_HLEN	(sizeof(struct aoe_hdr) + sizeof(struct aoe_ata))
#define AOE_CFG_HLEN	(sizeof(struct aoe_hdr) + sizeof(struct aoe_cfg))
#define AOE_RSV_HLEN	(sizeof(struct aoe_hdr) + sizeof(struct aoe_rsv))
/* What the spec and vblade subtract from the MTU to size a data frame. */
#define AOE_MTU_OVERHEAD	36

static inline void aoe_proto_build_checks(void)
{
	BUILD_BUG_ON(sizeof(struct aoe_hdr) != 10);
	BUILD_BUG_ON(sizeof(struct aoe_ata) != 12);
	BUILD_BUG_ON(sizeof(struct aoe_cfg) != 8);
	BUILD_BUG_ON(sizeof(struct aoe_rsv) != 2);
}

/* A response header, checked and decoded. */
struct aoe_rsp_info {
	u16 shelf;
	u8 slot;
	u8 cmd;
	u32 tag;
	u8 error;	/* 0, or the AoE error code when the E flag is set */
};

/* A config response, checked and decoded. */
struct aoe_cfg_info {
	u16 bufcnt;	/* at least 1 */
	u16 fwver;
	u8 scnt;	/* sectors per command, at least 2 */
};

/*
 * MAC lists are @n addresses one after another, ETH_ALEN bytes each.
 * A reserve/release answer: the target's list, of which the first
 * AOE_RSV_KEEP MACs are kept (a list longer than that is still counted
 * whole and compared in full by aoe_rsv_parse()).
 */
#define AOE_RSV_KEEP		8
struct aoe_rsv_info {
	unsigned int nmacs;
	u8 macs[AOE_RSV_KEEP][ETH_ALEN];
	bool ours;	/* non-empty and every MAC on it is one of @mine */
};

/* What the driver needs from IDENTIFY DEVICE data. */
struct aoe_ident_info {
	u64 sectors;
	bool lba48;
	bool wcache;		/* volatile write cache supported and enabled */
	bool flush_ext;		/* FLUSH CACHE EXT supported */
};

/* Smoothed round-trip time and deviation, in microseconds. */
struct aoe_rtt {
	u32 srtt;
	u32 rttvar;
};

#define AOE_RTO_MIN_US		10000U
#define AOE_RTO_MAX_US		5000000U
#define AOE_RTO_INIT_US		200000U

/* Congestion window, in frames. */
struct aoe_win {
	u32 cwnd;
	u32 ssthresh;
	u32 acked;	/* answers counted toward the next increase */
	u32 limit;	/* target's buffer count, capped by aoe_maxout */
	u32 prior_cwnd;		/* before the last cut, for aoe_win_undo() */
	u32 prior_ssthresh;
};

void aoe_hdr_build(struct aoe_hdr *h, u16 shelf, u8 slot, u8 cmd, u32 tag);
void aoe_ata_build_rw(struct aoe_ata *a, u64 lba, u8 nsect, bool write,
		      bool lba48);
void aoe_ata_build_cmd(struct aoe_ata *a, u8 cmd, u8 nsect);
void aoe_cfg_build_query(struct aoe_cfg *c);
size_t aoe_rsv_build(struct aoe_rsv *r, u8 rcmd, const u8 *macs,
		     unsigned int nmacs);

int aoe_rsp_check(const void *buf, size_t len, struct aoe_rsp_info *ri);
int aoe_cfg_parse(const void *buf, size_t len, struct aoe_cfg_info *ci);
int aoe_rsv_parse(const void *buf, size_t len, const u8 *mine,
		  unsigned int nmine, struct aoe_rsv_info *ri);
bool aoe_ata_failed(const struct aoe_ata *a);
void aoe_ident_parse(const u8 *id, struct aoe_ident_info *ii);
unsigned int aoe_frame_sectors(unsigned int mtu, unsigned int target_scnt);

static inline u32 aoe_tag_make(u32 gen, u32 idx)
{
	return ((gen & AOE_TAG_GEN_MASK) << AOE_TAG_IDX_BITS) |
	       (idx & AOE_TAG_IDX_MASK);
}

static inline u32 aoe_tag_idx(u32 tag)
{
	return tag & AOE_TAG_IDX_MASK;
}

void aoe_rtt_init(struct aoe_rtt *r);
void aoe_rtt_sample(struct aoe_rtt *r, u32 sample_us);
u32 aoe_rtt_rto(const struct aoe_rtt *r);

void aoe_win_init(struct aoe_win *w, u32 limit);
void aoe_win_set_limit(struct aoe_win *w, u32 limit);
void aoe_win_ack(struct aoe_win *w);
void aoe_win_loss(struct aoe_win *w);
void aoe_win_undo(struct aoe_win *w);

int aoe_name_parse(const char *s, size_t len, u16 *shelf, u8 *slot);

#define AOE_MAX_IFLIST		16
int aoe_iflist_parse(const char *s, size_t len,
		     char names[][IFNAMSIZ], int max);

#endif /* AOEPROTO_H */
