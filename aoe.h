/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ATA over Ethernet initiator: shared definitions.
 *
 * Objects and their lifetimes
 * ---------------------------
 * struct aoe_dev is one shelf.slot. It is created in process context (never
 * from a received frame directly: config answers for unknown addresses are
 * queued, bounded, and handled by a work item, in aoedisc.c) and put in a
 * hash table that the receive path searches under RCU. A kref counts the
 * table's reference and the gendisk's (dropped by ->free_disk); the last
 * put frees it, always after the device was unhashed and an RCU grace
 * period passed.
 *
 * A device has up to AOE_MAX_TARGETS targets (target MAC addresses), each
 * reached through up to AOE_MAX_PATHS local interfaces. Targets live in the
 * device and are never freed before it; a path holds a tracked reference on
 * its net_device, dropped when the interface unregisters or the device goes.
 *
 * Where things are
 * ----------------
 * aoenet.c receives and sends frames; aoedisc.c turns config answers into
 * devices, targets and paths; aoecmd.c is the frame engine (requests into
 * frames, answers, the window, the retransmit timer's whole life);
 * aoedev.c owns the device table and each device's life; aoeblk.c and
 * aoechr.c are the block and character device faces; aoersv.c does
 * reservations; aoeproto.c is the protocol without kernel state.
 *
 * Locks, outermost first
 * ----------------------
 * aoe_devs_mutex (aoedev.c): the device table's membership and the count of
 *	devices. Forgetting devices holds it until those are torn down,
 *	so a shelf.slot is not created again while its old disk exists.
 *	Process context only.
 * aoe_dev.mtx: the gendisk pointer, disk creation, capacity changes and the
 *	decision to tear a device down. Process context only (work items,
 *	character device writes, module exit).
 * aoe_dev.rsv_mtx: one reservation operation at a time (aoersv.c), and the
 *	registered key and the guard's open count. Process context only
 *	(pr ioctls, sysfs, and ->open and ->release inside the block layer's
 *	open_mutex, which del_gendisk takes under mtx); held while waiting
 *	for answers, so never taken with mtx or lock held.
 * aoe_dev.lock: everything the I/O path touches: state, targets, paths,
 *	frames, pending commands, counters, identify data. Taken from process
 *	context (queue_rq, sysfs), softirq (receive) and timer context, always
 *	with spin_lock_bh or from bottom-half context. Nothing that sleeps or
 *	transmits is done under it: frames to send and requests to complete
 *	are collected in a struct aoe_defer and handled after the unlock.
 */
#ifndef AOE_H
#define AOE_H

#include <linux/blk-mq.h>
#include <linux/hashtable.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "aoeproto.h"

#define AOE_VERSION		"100.0.0"	/* above the in-tree driver's 85 */
#define AOE_MAJOR		152
#define AOE_PARTITIONS		16
#define AOE_MAX_TARGETS		8
#define AOE_MAX_PATHS		8
#define AOE_MAX_FRAMES		128	/* per device; fits the 8-bit tag index */
/* Frames in the device, for IDENTIFY; the rest come when it is identified. */
#define AOE_BOOT_FRAMES		2
#define AOE_QUEUE_DEPTH		128
/* Most write-data pages a device keeps: struct aoe_txpool is then 2 KiB */
#define AOE_TXPOOL_PAGES	255
/* Write data beyond this goes into pooled pages, not the skb's head */
#define AOE_TX_LINEAR_MAX	2048
#define AOE_DISCOVER_SECS	60
#define AOE_STALL_REPORT_SECS	5	/* silence logged as a stall after this */
#define AOE_RSV_MINE_MAX	AOE_MAX_PATHS	/* MACs in the list we set */
/* A device's name, "eS.L" (e65535.255 and its NUL fit) */
#define AOE_NAME_LEN		16

enum aoe_dev_state {
	AOE_DS_NEW,	/* config answered, IDENTIFY not yet */
	AOE_DS_UP,	/* identified: requests go to the target */
	AOE_DS_DOWN,	/* no answer for aoe_deadsecs: requests fail */
};

struct aoe_path {
	struct net_device *ifp;
	netdevice_tracker tracker;
};

struct aoe_target {
	u8 mac[ETH_ALEN];
	u16 bufcnt;
	u16 fwver;
	u8 scnt;
	u8 npaths;
	u8 next_path;
	struct aoe_path paths[AOE_MAX_PATHS];
	struct aoe_rtt rtt;
	struct aoe_win win;
	u32 nout;			/* frames outstanding */
	/* Earlier copies of resent frames that may still wait in its queue */
	u32 ghosts;
	u32 max_nout;			/* most of nout + ghosts ever */
	unsigned long loss_stamp;	/* jiffies of the last window cut */
	u32 cut_tag;			/* tag whose timeout cut the window */
	u64 answered_ns;		/* latest send time of an answered frame */
	/* Answered a frame after one sent later: its order proves nothing */
	bool reorders;
	bool dirty;			/* acknowledged writes since a flush */
	u32 fails;			/* timeouts since its last answer */
	bool refused;			/* last answer: AoE error 3 or 6 */
	unsigned long next_probe;	/* jiffies: when unwell, next probe */

	/* Reservations (aoersv.c) */
	u32 rsv_tag;			/* command 3 outstanding, or 0 */
	bool rsv_answered;		/* in the current operation */
	int rsv_err;			/* its answer: 0, -EBUSY (error 6), -EIO */
	struct aoe_rsv_info rsv;	/* the list it last reported */
	bool rsv_logged;		/* its refusal of I/O is in the log */
	bool rsv_report;		/* log the holder when it answers */
};

enum aoe_frame_kind {
	AOE_FK_DATA,
	AOE_FK_IDENT,
	AOE_FK_FLUSH,
};

struct aoe_frame {
	struct list_head node;		/* d->free_frames or d->out_frames */
	struct aoe_cmd *cmd;		/* DATA frames only */
	struct aoe_target *t;
	struct bio *bio;		/* where this frame's data starts */
	struct bvec_iter iter;
	u32 len;			/* bytes of data (fills iter's hole) */
	sector_t lba;
	u32 tag;			/* current tag; 0 when free */
	u32 done_tag;			/* last answered tag, to spot duplicates */
	u32 prev_tag;			/* before the last timeout (kept) */
	u32 gen;
	u16 idx;
	u8 kind;
	u8 retries;
	u8 redirects;			/* resent after AoE error 3 or 6 */
	/* 1 + index of the target an earlier copy was sent to; 0: none */
	u8 ghost;
	bool held;			/* answered write waiting for its ghost */
	u64 sent_ns;			/* latest transmission, for the RTT */
	u64 prev_sent_ns;		/* when prev_tag was sent */
	unsigned long sent_j;		/* latest transmission */
	unsigned long deadline;
};

/*
 * Pages for the write data of frames (aoenet.c). A page is reused once no
 * skb references it any more (only the pool's reference is left), so a
 * frame's data never lives in a request's pages and a resent or late copy
 * keeps the pages it was built with. Under the device's lock.
 */
struct aoe_txpool {
	unsigned int n;			/* pages allocated */
	unsigned int next;		/* where the next search starts */
	struct page *pages[AOE_TXPOOL_PAGES];
};

/* Per-request driver data (blk-mq pdu). */
struct aoe_cmd {
	struct list_head node;		/* d->pending, or a local done list */
	struct request *rq;
	struct bio *bio;		/* next byte not yet put in a frame */
	struct bvec_iter iter;
	sector_t sector;
	u32 left;			/* bytes not yet put in a frame */
	u32 nout;			/* frames outstanding */
	blk_status_t status;
	bool write;
	bool flush;			/* REQ_OP_FLUSH: a barrier in d->pending */
};

struct aoe_stats {
	u64 frames_sent;
	u64 retransmits;
	u64 responses;
	u64 late;		/* answer to a tag already retransmitted */
	u64 spurious;		/* late, and the frame was not lost */
	u64 duplicates;		/* second answer to an answered tag */
	u64 unexpected;		/* unknown tag, wrong source or interface */
	u64 malformed;		/* too short or inconsistent */
	u64 ata_errors;
	u64 aoe_errors[AOE_ERR_MAX + 1];
	u64 splits;		/* frames split after an MTU decrease */
	u64 redirects;		/* frames resent elsewhere after error 3/6 */
	u64 flushes;		/* FLUSH CACHE frames sent */
	u64 no_skb;		/* sends that found no memory for a frame */
	u64 held;		/* answered writes held for an earlier copy */
};

struct aoe_dev {
	struct hlist_node hnode;
	struct list_head teardown_node;	/* on a local list while torn down */
	struct kref kref;
	u16 shelf;
	u8 slot;
	char name[AOE_NAME_LEN];	/* "eS.L" */
	unsigned long created;		/* jiffies */

	struct mutex mtx;		/* see "Locks" above */
	struct gendisk *disk;
	struct blk_mq_tag_set tag_set;
	int minor_idx;			/* dynamic minor index, or -1 */
	u64 disk_sectors;		/* capacity given to the block layer */

	spinlock_t lock;		/* see "Locks" above */
	enum aoe_dev_state state;
	bool gone;			/* being removed: no new work */
	bool ident_out;			/* an IDENTIFY is outstanding */
	u8 ntargets;
	u8 next_target;
	struct aoe_target targets[AOE_MAX_TARGETS];
	struct aoe_frame boot_frames[AOE_BOOT_FRAMES];
	struct aoe_frame *more_frames;	/* the other frames, once identified */
	struct aoe_txpool *txpool;	/* once identified */
	struct list_head free_frames;
	struct list_head out_frames;
	struct list_head pending;	/* commands with bytes not yet framed */
	u32 nout;
	u32 nout_writes;		/* write data frames outstanding */
	unsigned long last_progress;	/* jiffies of the last useful answer */
	u8 ident[AOE_IDENT_SIZE];
	struct aoe_ident_info ii;
	bool identified;
	bool nopath;			/* unreachable at the last ifp event */
	bool stall_logged;		/* the current silence is in the log */
	struct aoe_stats st;

	struct timer_list timer;	/* retransmit; armed only with work */
	struct work_struct work;	/* disk creation and capacity changes */
	struct dentry *dbg;		/* debugfs stats file */

	/* Reservations (aoersv.c); the MACs and tags under lock. */
	struct mutex rsv_mtx;		/* one operation at a time */
	wait_queue_head_t rsv_wq;	/* answers to it */
	u8 rsv_mine[AOE_RSV_MINE_MAX][ETH_ALEN];
	u8 rsv_nmine;
	u32 rsv_gen;			/* last command-3 tag */
	u64 pr_key;			/* registered through pr_ops; rsv_mtx */
	unsigned int rsv_opens;		/* ->open minus ->release; rsv_mtx */
	bool rsv_guard;			/* reserved by the guard; rsv_mtx */
};

/*
 * What is collected under d->lock and done after it is dropped, since
 * neither may happen under it: frames to transmit (aoenet_xmit) and
 * requests to complete. aoe_defer_run() does both, in that order.
 */
struct aoe_defer {
	struct sk_buff_head txq;
	struct list_head done;		/* of struct aoe_cmd, by node */
};

static inline void aoe_defer_init(struct aoe_defer *later)
{
	__skb_queue_head_init(&later->txq);
	INIT_LIST_HEAD(&later->done);
}

/* shelf.slot as one number, for hash tables */
static inline u32 aoe_addr_key(u16 shelf, u8 slot)
{
	return (u32)shelf << 8 | slot;
}

/* aoemain.c */
extern struct workqueue_struct *aoe_wq;
extern unsigned int aoe_deadsecs;
extern unsigned int aoe_maxout;
extern unsigned int aoe_maxsectors;
extern int aoe_dyndevs;
extern unsigned int aoe_maxdevs;

/* aoenet.c */
int aoenet_init(void);
void aoenet_stop_rx(void);
void aoenet_exit(void);
bool aoenet_if_allowed(const struct net_device *ifp);
int aoenet_set_iflist(const char *s, size_t len);
struct sk_buff *aoenet_skb(struct net_device *ifp, const u8 *dst,
			   unsigned int len);
void aoenet_skb_drop(struct sk_buff *skb);
struct page *aoenet_txpool_get(struct aoe_dev *d);
void aoenet_txpool_trim(struct aoe_dev *d);
void aoenet_txpool_free(struct aoe_txpool *pool);
int aoenet_xmit_check(struct net_device *ifp);
void aoenet_xmit(struct sk_buff_head *q);
u64 aoenet_tx_dropped(void);
bool aoenet_path_usable(const struct net_device *ifp);

/* aoecmd.c */
void aoecmd_ata_rsp(struct sk_buff *skb, struct net_device *ifp,
		    const struct aoe_rsp_info *ri);
blk_status_t aoecmd_submit(struct aoe_dev *d, struct aoe_cmd *cmd);
void aoecmd_timer_init(struct aoe_dev *d);
void aoecmd_timer_stop(struct aoe_dev *d);
void aoecmd_send_ident(struct aoe_dev *d, struct aoe_target *t,
		       struct net_device *ifp, struct sk_buff_head *txq);
void aoecmd_send_ident_any(struct aoe_dev *d, struct sk_buff_head *txq);
void aoecmd_fail_all(struct aoe_dev *d, struct list_head *done);
void aoe_defer_run(struct aoe_defer *later);
u64 aoecmd_orphans(void);

/* aoedisc.c */
void aoedisc_init(void);
void aoedisc_exit(void);
void aoedisc_discover(void);
void aoedisc_revalidate(struct aoe_dev *d);
void aoedisc_cfg_rsp(struct sk_buff *skb, struct net_device *ifp,
		     const struct aoe_rsp_info *ri);
u64 aoedisc_newq_dropped(void);

/* aoedev.c */
void aoedev_exit(void);
struct aoe_dev *aoedev_lookup_rcu(u16 shelf, u8 slot);
struct aoe_dev *aoedev_find_get(u16 shelf, u8 slot);
struct aoe_dev *aoedev_create(u16 shelf, u8 slot);
void aoedev_put(struct aoe_dev *d);
int aoedev_forget(const char *buf, size_t len);
void aoedev_drop_ifp(struct net_device *ifp);
void aoedev_ifp_event(struct net_device *ifp);
struct aoe_target *aoedev_target(struct aoe_dev *d, const u8 *mac,
				 bool create);
bool aoedev_target_uses(const struct aoe_target *t,
			const struct net_device *ifp);
int aoedev_add_path(struct aoe_dev *d, struct aoe_target *t,
		    struct net_device *ifp);
struct net_device *aoedev_pick_path(struct aoe_dev *d, struct aoe_target *t);
bool aoedev_target_reachable(struct aoe_dev *d, const struct aoe_target *t);
struct aoe_frame *aoedev_frame(struct aoe_dev *d, u32 idx);
const char *aoedev_state_str(struct aoe_dev *d, bool *closewait);

/* aoeblk.c */
int aoeblk_init(void);
void aoeblk_exit(void);
int aoeblk_add(struct aoe_dev *d);
void aoeblk_remove(struct aoe_dev *d);
void aoeblk_update(struct aoe_dev *d);

/* aoersv.c */
extern bool aoe_reserve_open;
extern const struct pr_ops aoersv_pr_ops;
void aoersv_rsp(struct sk_buff *skb, struct net_device *ifp,
		const struct aoe_rsp_info *ri);
void aoersv_refused(struct aoe_dev *d, struct aoe_target *t,
		    struct sk_buff_head *txq);
ssize_t aoersv_show(struct aoe_dev *d, char *buf);
int aoersv_open(struct aoe_dev *d, bool write);
void aoersv_release(struct aoe_dev *d);

/* aoedebug.c */
void aoedebug_init(void);
void aoedebug_exit(void);
void aoedebug_add(struct aoe_dev *d);
void aoedebug_remove(struct aoe_dev *d);

/* aoechr.c */
int aoechr_init(void);
void aoechr_exit(void);
__printf(1, 2) void aoechr_msg(const char *fmt, ...);

#endif /* AOE_H */
