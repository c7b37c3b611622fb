// SPDX-License-Identifier: GPL-2.0
/*
 * The frame engine: frames and tags, the window, answers, retransmission,
 * and IDENTIFY (discovery is in aoedisc.c).
 *
 * A block request becomes an aoe_cmd on the device's pending list; frames are
 * cut from it as the targets' windows open, each carrying at most what the
 * chosen path's MTU and the target allow. Write data is copied into the frame
 * and read data out of the answer, so no frame ever points at a request's
 * pages: a late or duplicated frame cannot touch a completed request.
 *
 * Timers: each device has one retransmit timer. Sending a frame or queueing a
 * command arms it (never later than the earliest frame deadline); it re-arms
 * itself only while frames are outstanding or commands wait, so an idle
 * device has no timer running. It resends overdue frames under a new tag,
 * cuts the window, and after aoe_deadsecs without an answer marks the device
 * down and fails its requests; none of that sleeps, so it is done right
 * there.
 */
#include <linux/bio.h>
#include <linux/etherdevice.h>
#include <linux/highmem.h>
#include <linux/ktime.h>
#include <linux/slab.h>

#include "aoe.h"
#include "aoecompat.h"

#define CREATE_TRACE_POINTS
#include "aoetrace.h"

#define AOE_MAX_BACKOFF		6	/* RTO doubles at most this many times */
#define AOE_TARGET_SICK		2	/* timeouts in a row: avoid, probe */
/* A held write's earlier copy is taken as lost after this. */
#define AOE_HOLD_MAX		(AOE_STALL_REPORT_SECS * HZ)
/* Timeouts after which a frame that may still be queued is resent anyway */
#define AOE_OVERDUE		4
/* A sick target gets one probe frame at most this often. */
#define AOE_PROBE_INTERVAL	HZ
/*
 * The longest the timer sleeps while a device has work, frames or only
 * waiting commands: the dead clock and the stall report need a look.
 */
#define AOE_TIMER_MAX_SLEEP	HZ
/* A resend that found no path or no room tries again after this. */
#define AOE_RETRY_SOON		(HZ / 10)

/* Answers that belong to no device. */
static atomic64_t aoe_orphan_rsp = ATOMIC64_INIT(0);

/*
 * The next piece, at most @max bytes, of the request data at (@bio, @iter),
 * which advance past it; a zero length if the data ends early.
 */
static struct bio_vec aoe_data_next(struct bio **bio, struct bvec_iter *iter,
				    u32 max)
{
	struct bio_vec bv = { };

	if (!iter->bi_size) {
		*bio = (*bio)->bi_next;
		if (WARN_ON_ONCE(!*bio))
			return bv;
		*iter = (*bio)->bi_iter;
	}
	bv = bio_iter_iovec(*bio, *iter);
	bv.bv_len = min(bv.bv_len, max);
	bio_advance_iter_single(*bio, iter, bv.bv_len);
	return bv;
}

/* Copy @len bytes of request data from (@bio, @iter), advancing, to @buf. */
static void aoe_data_to_buf(struct bio **bio, struct bvec_iter *iter, u8 *buf,
			    u32 len)
{
	while (len) {
		struct bio_vec bv = aoe_data_next(bio, iter, len);
		void *p;

		if (!bv.bv_len)
			return;
		p = bvec_kmap_local(&bv);
		memcpy(buf, p, bv.bv_len);
		kunmap_local(p);
		buf += bv.bv_len;
		len -= bv.bv_len;
	}
}

/* Copy @len bytes of @skb from @off into the request data at (@bio, @iter). */
static void aoe_data_from_skb(struct bio *bio, struct bvec_iter iter, u32 len,
			      const struct sk_buff *skb, int off)
{
	while (len) {
		struct bio_vec bv = aoe_data_next(&bio, &iter, len);
		void *p;

		if (!bv.bv_len)
			return;
		p = bvec_kmap_local(&bv);
		skb_copy_bits(skb, off, p, bv.bv_len);
		flush_dcache_page(bv.bv_page);
		kunmap_local(p);
		off += bv.bv_len;
		len -= bv.bv_len;
	}
}

static void aoe_data_advance(struct bio **bio, struct bvec_iter *iter,
			     u32 len)
{
	while (len) {
		u32 n;

		if (!iter->bi_size) {
			*bio = (*bio)->bi_next;
			if (WARN_ON_ONCE(!*bio))
				return;
			*iter = (*bio)->bi_iter;
		}
		n = min(iter->bi_size, len);
		bio_advance_iter(*bio, iter, n);
		len -= n;
	}
}

static bool frame_is_write(const struct aoe_frame *f)
{
	return f->kind == AOE_FK_DATA && f->cmd->write;
}

/* A fresh tag for @f: 23-bit generation (never 0, the free mark), index. */
static void frame_new_tag(struct aoe_frame *f)
{
	f->gen = (f->gen + 1) & AOE_TAG_GEN_MASK;
	if (!f->gen)
		f->gen = 1;
	f->tag = aoe_tag_make(f->gen, f->idx);
}

static struct aoe_frame *frame_get(struct aoe_dev *d)
{
	struct aoe_frame *f;

	f = list_first_entry_or_null(&d->free_frames, struct aoe_frame, node);
	if (!f)
		return NULL;
	list_move_tail(&f->node, &d->out_frames);
	frame_new_tag(f);
	f->retries = 0;
	f->redirects = 0;
	f->cmd = NULL;
	f->t = NULL;
	d->nout++;
	return f;
}

static void target_note_nout(struct aoe_target *t)
{
	if (t->nout + t->ghosts > t->max_nout)
		t->max_nout = t->nout + t->ghosts;
}

/*
 * A frame resent while an earlier copy may still wait in its target's
 * queue (a target that stalled has not lost it) counts twice against that
 * target's window, so that resends never overrun the target's buffer. The
 * earlier copy is behind us when its late answer comes, or when the target
 * answers the resend: a target carries out the copies of one command in
 * the order they came. Most targets carry out all their commands in order
 * (vblade does; so does each port of a shelf): for those, any answer to a
 * frame sent after the copy tells the same. A target seen answering out of
 * order (t->reorders, see frame_spurious) is not read that way. The copy
 * is also given up when the frame is done. One per frame at most.
 */
static void frame_ghost_set(struct aoe_dev *d, struct aoe_frame *f)
{
	if (f->ghost || !f->t)
		return;
	f->ghost = f->t - d->targets + 1;
	f->t->ghosts++;
	target_note_nout(f->t);
}

static void frame_ghost_clear(struct aoe_dev *d, struct aoe_frame *f)
{
	if (!f->ghost)
		return;
	d->targets[f->ghost - 1].ghosts--;
	f->ghost = 0;
}

/* @f's own target answered it: its earlier copy there is behind us. */
static void frame_ghost_answered(struct aoe_dev *d, struct aoe_frame *f)
{
	if (f->ghost && &d->targets[f->ghost - 1] == f->t)
		frame_ghost_clear(d, f);
}

static void frame_put(struct aoe_dev *d, struct aoe_frame *f)
{
	frame_ghost_clear(d, f);
	f->held = false;
	if (f->t)
		f->t->nout--;
	if (f->kind == AOE_FK_IDENT)
		d->ident_out = false;
	if (frame_is_write(f))
		d->nout_writes--;
	f->done_tag = f->tag;
	f->tag = 0;
	f->t = NULL;
	f->cmd = NULL;
	list_move(&f->node, &d->free_frames);
	d->nout--;
}

/* The device goes from idle to busy: the dead clock starts now. */
static void dead_clock_start(struct aoe_dev *d)
{
	if (!d->nout && list_empty(&d->pending))
		d->last_progress = jiffies;
}

static unsigned long frame_timeout(struct aoe_frame *f)
{
	u64 us = (u64)aoe_rtt_rto(&f->t->rtt) << min_t(u8, f->retries,
						      AOE_MAX_BACKOFF);

	return usecs_to_jiffies(min_t(u64, us, AOE_RTO_MAX_US)) + 1;
}

/*
 * The retransmit timer's whole life is here: aoecmd_timer_init when the
 * device is made, timer_arm (only ever earlier, under d->lock) whenever
 * there is work, aoecmd_timer_stop at teardown, after which arming is a
 * no-op (timer_shutdown). Between, the timer runs only while frames are
 * outstanding or commands wait (timer_rearm).
 */
static void aoecmd_timer(struct timer_list *timer);

void aoecmd_timer_init(struct aoe_dev *d)
{
	timer_setup(&d->timer, aoecmd_timer, 0);
}

void aoecmd_timer_stop(struct aoe_dev *d)
{
	timer_shutdown_sync(&d->timer);
}

static void timer_arm(struct aoe_dev *d, unsigned long when)
{
	lockdep_assert_held(&d->lock);
	timer_reduce(&d->timer, when);
}

/* @f's write data into pages of the pool, attached to @skb as fragments. */
static int frame_data_frags(struct aoe_dev *d, struct aoe_frame *f,
			    struct sk_buff *skb)
{
	struct bvec_iter iter = f->iter;
	struct bio *bio = f->bio;
	u32 left = f->len;
	int i;

	for (i = 0; left; i++) {
		u32 n = min_t(u32, left, PAGE_SIZE);
		struct page *pg = aoenet_txpool_get(d);

		if (!pg)
			return -ENOMEM;
		aoe_data_to_buf(&bio, &iter, page_address(pg), n);
		skb_fill_page_desc(skb, i, pg, 0, n);
		skb->len += n;
		skb->data_len += n;
		skb->truesize += PAGE_SIZE;
		left -= n;
	}
	return 0;
}

static struct sk_buff *frame_skb(struct aoe_dev *d, struct aoe_frame *f,
				 struct net_device *ifp)
{
	bool write = frame_is_write(f);
	unsigned int dlen = write ? f->len : 0;
	/* (A frame beyond what fragments hold, on a huge MTU, stays linear.) */
	bool frags = dlen > AOE_TX_LINEAR_MAX &&
		     dlen <= MAX_SKB_FRAGS * PAGE_SIZE;
	struct sk_buff *skb;
	struct aoe_ata *a;

	skb = aoenet_skb(ifp, f->t->mac, AOE_ATA_HLEN + (frags ? 0 : dlen));
	if (!skb)
		return NULL;
	aoe_hdr_build(skb_put(skb, sizeof(struct aoe_hdr)), d->shelf,
		      d->slot, AOE_CMD_ATA, f->tag);
	a = skb_put(skb, sizeof(*a));
	if (f->kind == AOE_FK_IDENT)
		aoe_ata_build_cmd(a, ATA_CMD_IDENT, 1);
	else if (f->kind == AOE_FK_FLUSH)
		aoe_ata_build_cmd(a, d->ii.flush_ext ? ATA_CMD_FLUSH48 :
			      ATA_CMD_FLUSH28, 0);
	else
		aoe_ata_build_rw(a, f->lba, f->len / AOE_SECTOR_SIZE, write,
				 d->ii.lba48);
	if (frags) {
		if (frame_data_frags(d, f, skb)) {
			aoenet_skb_drop(skb);
			return NULL;
		}
	} else if (dlen) {
		struct bvec_iter iter = f->iter;
		struct bio *bio = f->bio;

		aoe_data_to_buf(&bio, &iter, skb_put(skb, dlen), dlen);
	}
	return skb;
}

/*
 * Send (or resend) @f to target @t through @ifp. A failed allocation is
 * treated as a lost frame: the deadline is set and the timer resends it.
 */
static void frame_send(struct aoe_dev *d, struct aoe_frame *f,
		       struct aoe_target *t, struct net_device *ifp,
		       struct sk_buff_head *txq)
{
	struct sk_buff *skb;

	lockdep_assert_held(&d->lock);
	if (f->t != t) {
		if (f->t)
			f->t->nout--;
		f->t = t;
		t->nout++;
		target_note_nout(t);
	}
	f->sent_j = jiffies;
	f->sent_ns = ktime_get_ns();
	f->deadline = f->sent_j + frame_timeout(f);
	trace_aoe_xmit(d->name, f->tag, f->kind, f->lba, f->len,
		       frame_is_write(f), f->retries);
	skb = frame_skb(d, f, ifp);
	if (skb) {
		__skb_queue_tail(txq, skb);
		d->st.frames_sent++;
	} else {
		d->st.no_skb++;
	}
	timer_arm(d, f->deadline);
}

/* Bytes one data frame to @t through @ifp may carry. */
static u32 path_max_bytes(struct aoe_target *t, struct net_device *ifp)
{
	return aoe_frame_sectors(READ_ONCE(ifp->mtu), t->scnt) *
	       AOE_SECTOR_SIZE;
}

/*
 * A target whose frames time out again and again (a dead vblade behind a
 * healthy link, say), or that refuses commands (AoE error 3 or 6), gets
 * one frame at a time, a probe, until it answers one well.
 */
static bool target_unwell(const struct aoe_target *t)
{
	return t->fails >= AOE_TARGET_SICK || t->refused;
}

static u32 target_room(const struct aoe_target *t)
{
	return target_unwell(t) ? 1 : t->win.cwnd;
}

/* Whether @t's window (its buffer, as far as we know) has room for one. */
static bool target_has_room(const struct aoe_target *t)
{
	return t->nout + t->ghosts < target_room(t);
}

/*
 * Whether unwell @t only gets a probe a second: it does while a better
 * target can be reached, a well one for a target that times out, any that
 * does not refuse for one that refuses. Else it would take (and fail, or
 * refuse and redirect) the frames the better ones have no room for.
 */
static bool target_probe_only(struct aoe_dev *d, struct aoe_target *t)
{
	unsigned int i;

	for (i = 0; i < d->ntargets; i++) {
		struct aoe_target *o = &d->targets[i];

		if (o == t || !aoedev_target_reachable(d, o))
			continue;
		if (t->refused ? !o->refused : !target_unwell(o))
			return true;
	}
	return false;
}

/*
 * Choose a target with room in its window and a usable path, round robin
 * over the targets so that several of them share the load. Unwell targets
 * come last, and get only probes while a better one can be reached.
 */
static struct aoe_target *pick_target(struct aoe_dev *d,
				      struct net_device **ifpp, u32 *maxp)
{
	unsigned int pass, i;

	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < d->ntargets; i++) {
			unsigned int k = (d->next_target + i) % d->ntargets;
			struct aoe_target *t = &d->targets[k];
			struct net_device *ifp;

			if (target_unwell(t) != pass || !target_has_room(t))
				continue;
			if (pass && time_before(jiffies, t->next_probe) &&
			    target_probe_only(d, t))
				continue;
			ifp = aoedev_pick_path(d, t);
			if (!ifp)
				continue;
			*maxp = path_max_bytes(t, ifp);
			if (!*maxp)
				continue;
			if (pass)
				t->next_probe = jiffies + AOE_PROBE_INTERVAL;
			d->next_target = k + 1;
			*ifpp = ifp;
			return t;
		}
	}
	return NULL;
}

static void cmd_maybe_done(struct aoe_cmd *cmd, struct list_head *done);

/* @f is finished: free it and account it to its command. */
static void frame_done(struct aoe_dev *d, struct aoe_frame *f,
		       struct list_head *done)
{
	struct aoe_cmd *cmd = f->cmd;

	frame_put(d, f);
	if (cmd) {
		cmd->nout--;
		cmd_maybe_done(cmd, done);
	}
}

/*
 * An answered write whose earlier copy may still wait in another target's
 * queue (another port of the same disk, say, that stalled) does not
 * complete yet: that copy, carried out after a newer write to the same
 * sectors, would bring old data back. The frame waits, under a fresh tag
 * that is never sent (a duplicate of the answer is still known as one),
 * until the copy is behind that target (see frame_ghost_set) or
 * AOE_HOLD_MAX passes; a flush waits for it too (it counts in
 * nout_writes). Its own target's window has room for others meanwhile.
 */
static bool frame_hold(struct aoe_dev *d, struct aoe_frame *f)
{
	if (!f->ghost || !frame_is_write(f))
		return false;
	f->held = true;
	f->done_tag = f->tag;
	frame_new_tag(f);
	f->t->nout--;
	f->t = NULL;
	f->deadline = jiffies + AOE_HOLD_MAX;
	timer_arm(d, f->deadline);
	d->st.held++;
	return true;
}

/*
 * @t answered a frame sent at t->answered_ns: earlier copies still counted
 * as waiting in its queue are behind it now, and writes held for them go.
 */
static void target_ghosts_settle(struct aoe_dev *d, struct aoe_target *t,
				 struct list_head *done)
{
	u8 ghost = t - d->targets + 1;
	struct aoe_frame *f, *n;

	lockdep_assert_held(&d->lock);
	if (!t->ghosts)
		return;
	list_for_each_entry_safe(f, n, &d->out_frames, node) {
		if (f->ghost != ghost || f->prev_sent_ns >= t->answered_ns)
			continue;
		frame_ghost_clear(d, f);
		if (f->held)
			frame_done(d, f, done);
	}
}

/*
 * A flush at the head of the pending list waits until every earlier write
 * was answered, then goes to each target that acknowledged writes since its
 * last flush. Returns false while it must wait.
 */
static bool pump_flush(struct aoe_dev *d, struct aoe_cmd *cmd,
		       struct sk_buff_head *txq, struct list_head *done)
{
	unsigned int i;

	if (d->nout_writes)
		return false;
	for (i = 0; i < d->ntargets; i++) {
		struct aoe_target *t = &d->targets[i];
		struct net_device *ifp;
		struct aoe_frame *f;

		if (!t->dirty)
			continue;
		ifp = aoedev_pick_path(d, t);
		if (!ifp)
			return false;
		f = frame_get(d);
		if (!f)
			return false;
		f->kind = AOE_FK_FLUSH;
		f->cmd = cmd;
		f->lba = 0;
		f->len = 0;
		cmd->nout++;
		t->dirty = false;
		d->st.flushes++;
		frame_send(d, f, t, ifp, txq);
	}
	cmd->left = 0;
	list_del_init(&cmd->node);
	cmd_maybe_done(cmd, done);
	return true;
}

/*
 * A data frame of @cmd for the @len bytes at (@bio, @iter), sector @lba,
 * which all advance past them: a new frame from a command, or the front
 * of a frame split after an MTU decrease. NULL when no frame is free.
 */
static struct aoe_frame *frame_cut(struct aoe_dev *d, struct aoe_cmd *cmd,
				   struct bio **bio, struct bvec_iter *iter,
				   sector_t *lba, u32 len)
{
	struct aoe_frame *f = frame_get(d);

	if (!f)
		return NULL;
	f->kind = AOE_FK_DATA;
	f->cmd = cmd;
	f->bio = *bio;
	f->iter = *iter;
	f->lba = *lba;
	f->len = len;
	aoe_data_advance(bio, iter, len);
	*lba += len / AOE_SECTOR_SIZE;
	cmd->nout++;
	if (cmd->write)
		d->nout_writes++;
	return f;
}

/* Cut frames from the pending commands while the windows allow. */
static void aoecmd_pump(struct aoe_dev *d, struct sk_buff_head *txq,
			struct list_head *done)
{
	struct aoe_cmd *cmd;

	lockdep_assert_held(&d->lock);
	while ((cmd = list_first_entry_or_null(&d->pending, struct aoe_cmd,
					       node))) {
		struct net_device *ifp;
		struct aoe_target *t;
		struct aoe_frame *f;
		u32 max;

		if (cmd->flush) {
			if (!pump_flush(d, cmd, txq, done))
				break;
			continue;
		}
		t = pick_target(d, &ifp, &max);
		if (!t)
			break;
		f = frame_cut(d, cmd, &cmd->bio, &cmd->iter, &cmd->sector,
			      min(cmd->left, max));
		if (!f)
			break;
		cmd->left -= f->len;
		if (!cmd->left)
			list_del_init(&cmd->node);
		frame_send(d, f, t, ifp, txq);
	}
}

static void cmd_maybe_done(struct aoe_cmd *cmd, struct list_head *done)
{
	if (!cmd->nout && !cmd->left)
		list_add_tail(&cmd->node, done);
}

/* Stop cutting frames from @cmd; it completes with @status. */
static void cmd_fail(struct aoe_cmd *cmd, blk_status_t status)
{
	cmd->status = status;
	if (cmd->left) {
		cmd->left = 0;
		list_del_init(&cmd->node);
	}
}

/* After d->lock: send the frames, then complete the requests. */
void aoe_defer_run(struct aoe_defer *later)
{
	struct aoe_cmd *cmd, *n;

	aoenet_xmit(&later->txq);
	list_for_each_entry_safe(cmd, n, &later->done, node) {
		list_del_init(&cmd->node);
		blk_mq_end_request(cmd->rq, cmd->status);
	}
}

/* Fail every outstanding frame and pending command of @d. */
void aoecmd_fail_all(struct aoe_dev *d, struct list_head *done)
{
	struct aoe_frame *f, *fn;
	struct aoe_cmd *cmd, *cn;

	lockdep_assert_held(&d->lock);
	list_for_each_entry_safe(f, fn, &d->out_frames, node) {
		if (f->cmd)
			cmd_fail(f->cmd, BLK_STS_IOERR);
		frame_done(d, f, done);
	}
	list_for_each_entry_safe(cmd, cn, &d->pending, node) {
		cmd_fail(cmd, BLK_STS_IOERR);
		cmd_maybe_done(cmd, done);
	}
}

blk_status_t aoecmd_submit(struct aoe_dev *d, struct aoe_cmd *cmd)
{
	struct aoe_defer later;

	aoe_defer_init(&later);
	spin_lock_bh(&d->lock);
	if (d->gone || d->state != AOE_DS_UP) {
		spin_unlock_bh(&d->lock);
		return BLK_STS_IOERR;
	}
	dead_clock_start(d);
	list_add_tail(&cmd->node, &d->pending);
	aoecmd_pump(d, &later.txq, &later.done);
	if (!list_empty(&d->pending))
		timer_arm(d, jiffies + AOE_TIMER_MAX_SLEEP);
	spin_unlock_bh(&d->lock);
	aoe_defer_run(&later);
	return BLK_STS_OK;
}

/* IDENTIFY @d through @t and @ifp, unless one is outstanding. */
void aoecmd_send_ident(struct aoe_dev *d, struct aoe_target *t,
		       struct net_device *ifp, struct sk_buff_head *txq)
{
	struct aoe_frame *f;

	if (d->ident_out)
		return;
	/* Before frame_get(): an idle device's dead clock restarts now. */
	dead_clock_start(d);
	f = frame_get(d);
	if (!f)
		return;
	f->kind = AOE_FK_IDENT;
	f->len = AOE_IDENT_SIZE;
	d->ident_out = true;
	frame_send(d, f, t, ifp, txq);
}

/* Send IDENTIFY through the first target that has a usable path. */
void aoecmd_send_ident_any(struct aoe_dev *d, struct sk_buff_head *txq)
{
	unsigned int i;

	for (i = 0; i < d->ntargets; i++) {
		struct net_device *ifp = aoedev_pick_path(d, &d->targets[i]);

		if (ifp) {
			aoecmd_send_ident(d, &d->targets[i], ifp, txq);
			return;
		}
	}
}

static void ident_done(struct aoe_dev *d, struct sk_buff *skb)
{
	struct aoe_ident_info ii;

	skb_copy_bits(skb, AOE_ATA_HLEN, d->ident, AOE_IDENT_SIZE);
	aoe_ident_parse(d->ident, &ii);
	if (!ii.sectors) {
		pr_warn_ratelimited("%s: IDENTIFY reports no sectors\n",
				    d->name);
		return;
	}
	d->ii = ii;
	d->identified = true;
	if (d->state != AOE_DS_UP) {
		pr_info("%s: up, %llu sectors%s%s\n", d->name, ii.sectors,
			ii.lba48 ? ", LBA48" : "",
			ii.wcache ? ", write cache" : "");
		aoechr_msg("%s: up\n", d->name);
		trace_aoe_state(d->name, true);
	}
	d->state = AOE_DS_UP;
	queue_work(aoe_wq, &d->work);
}

static void frame_error(struct aoe_dev *d, struct aoe_frame *f,
			const struct aoe_rsp_info *ri, const struct aoe_ata *a,
			struct sk_buff_head *txq)
{
	blk_status_t status = BLK_STS_IOERR;

	if (ri->error == AOE_ERR_RESERVED) {
		/* Another host's reservation: no retry will help. */
		status = BLK_STS_RESV_CONFLICT;
		aoersv_refused(d, f->t, txq);
	} else if (ri->error) {
		pr_err_ratelimited("%s: AoE error %u for tag %08x\n", d->name,
				   ri->error, ri->tag);
		aoechr_msg("%s: AoE error %u tag %08x\n", d->name, ri->error,
			   ri->tag);
	} else {
		d->st.ata_errors++;
		pr_err_ratelimited("%s: ATA error status %02x error %02x at lba %llu\n",
				   d->name, a->cmdstat, a->errfeat,
				   (unsigned long long)f->lba);
		aoechr_msg("%s: ATA status %02x error %02x lba %llu\n",
			   d->name, a->cmdstat, a->errfeat,
			   (unsigned long long)f->lba);
	}
	if (f->cmd)
		cmd_fail(f->cmd, status);
}

/*
 * The answer to the tag @f had before its last timeout (@f may be done or
 * reused since: tags are never reused): the frame was late, not lost. Tags
 * tell the two sends apart, so the round trip is a true sample for the
 * estimate that fired too soon, and the window cut that timeout made is
 * undone. The answer itself is dropped: the resend's answer completes the
 * frame. If the target had answered a frame sent after that copy first, it
 * does not keep to the order it was sent (a target with several workers):
 * from then on a later answer no longer means an earlier frame was lost.
 */
static void frame_spurious(struct aoe_dev *d, struct aoe_frame *f,
			   const u8 *src, struct list_head *done)
{
	struct aoe_target *t = aoedev_target(d, src, false);

	if (!t)
		return;
	d->st.spurious++;
	if (t->answered_ns > f->prev_sent_ns && !t->reorders) {
		t->reorders = true;
		pr_info("%s: target %pM answers out of order\n", d->name,
			t->mac);
	}
	frame_ghost_clear(d, f);
	t->fails = 0;
	aoe_rtt_sample(&t->rtt, div_u64(ktime_get_ns() - f->prev_sent_ns,
					NSEC_PER_USEC));
	if (t->cut_tag == f->prev_tag) {
		aoe_win_undo(&t->win);
		t->cut_tag = 0;
	}
	f->prev_tag = 0;
	if (f->held)
		frame_done(d, f, done);
}

/* Match a response to its frame; count and refuse what does not match. */
static struct aoe_frame *match_frame(struct aoe_dev *d, struct sk_buff *skb,
				     struct net_device *ifp,
				     const struct aoe_rsp_info *ri,
				     struct list_head *done)
{
	u32 idx = aoe_tag_idx(ri->tag);
	struct aoe_frame *f;

	f = aoedev_frame(d, idx);
	if (!f) {
		d->st.unexpected++;
		return NULL;
	}
	if (!f->tag || f->tag != ri->tag) {
		if (ri->tag == f->done_tag)
			d->st.duplicates++;
		else
			d->st.late++;
		if (f->prev_tag && ri->tag == f->prev_tag)
			frame_spurious(d, f, eth_hdr(skb)->h_source, done);
		return NULL;
	}
	if (ether_addr_equal(eth_hdr(skb)->h_source, f->t->mac) &&
	    aoedev_target_uses(f->t, ifp))
		return f;
	d->st.unexpected++;
	return NULL;
}

/*
 * A target other than @f's, reachable now, well ones first, unwell ones
 * only if @any; NULL if there is none.
 */
static struct aoe_target *other_target(struct aoe_dev *d, struct aoe_frame *f,
				       struct net_device **ifpp, bool any)
{
	unsigned int pass, i;

	for (pass = 0; pass < (any ? 2 : 1); pass++) {
		for (i = 0; i < d->ntargets; i++) {
			struct aoe_target *t = &d->targets[i];

			if (t == f->t || (!pass && target_unwell(t)))
				continue;
			*ifpp = aoedev_pick_path(d, t);
			if (*ifpp)
				return t;
		}
	}
	return NULL;
}

enum aoe_answer {
	ANS_DONE,	/* the frame is finished, well or not */
	ANS_IGNORE,	/* not a usable answer: the frame stays outstanding */
	ANS_REDIRECT,	/* error 3 or 6: try another target */
};

/* An ATA answer's argument; aoenet_rcv has pulled it into the head. */
static const struct aoe_ata *rsp_ata(const struct sk_buff *skb)
{
	return (const void *)(skb->data + sizeof(struct aoe_hdr));
}

static enum aoe_answer frame_answer(struct aoe_dev *d, struct aoe_frame *f,
				    struct sk_buff *skb,
				    const struct aoe_rsp_info *ri,
				    struct sk_buff_head *txq)
{
	const struct aoe_ata *a = rsp_ata(skb);
	bool read_data = f->kind == AOE_FK_IDENT ||
			 (f->kind == AOE_FK_DATA && !f->cmd->write);
	struct net_device *ifp;

	if (ri->error) {
		d->st.aoe_errors[ri->error]++;
		/* Unavailable or reserved here may be served by another. */
		if (ri->error == AOE_ERR_DEVUNAVAIL ||
		    ri->error == AOE_ERR_RESERVED) {
			f->t->refused = true;
			if (f->kind != AOE_FK_FLUSH &&
			    f->redirects < d->ntargets &&
			    other_target(d, f, &ifp, true))
				return ANS_REDIRECT;
		}
	} else {
		f->t->refused = false;
		/* IDENTIFY is answered whoever holds a reservation. */
		if (f->kind != AOE_FK_IDENT)
			f->t->rsv_logged = false;
	}
	if (ri->error || aoe_ata_failed(a)) {
		frame_error(d, f, ri, a, txq);
		return ANS_DONE;
	}
	/*
	 * Targets answer with the sectors left to do (0, as vblade does) or
	 * echo the count asked for; anything else is not our command's answer.
	 */
	if ((a->scnt && a->scnt != f->len / AOE_SECTOR_SIZE) ||
	    (read_data && skb->len < AOE_ATA_HLEN + f->len)) {
		d->st.malformed++;
		return ANS_IGNORE;
	}
	if (f->kind == AOE_FK_IDENT)
		ident_done(d, skb);
	else if (read_data)
		aoe_data_from_skb(f->bio, f->iter, f->len, skb, AOE_ATA_HLEN);
	else if (f->kind == AOE_FK_DATA)
		f->t->dirty = true;
	return ANS_DONE;
}

/*
 * Carve pieces that fit @max off the front of @f (the path's MTU shrank
 * since @f was cut) and send them as frames of their own. Returns false if
 * @f still does not fit because no frame was free.
 */
static bool frame_fit(struct aoe_dev *d, struct aoe_frame *f, u32 max,
		      struct aoe_target *t, struct net_device *ifp,
		      struct sk_buff_head *txq)
{
	while (f->len > max) {
		struct aoe_frame *g = frame_cut(d, f->cmd, &f->bio, &f->iter,
						&f->lba, max);

		if (!g)
			return false;
		f->len -= max;
		d->st.splits++;
		frame_send(d, g, t, ifp, txq);
	}
	return true;
}

/*
 * Send @f again, to @t through @ifp, under a new tag: an answer to the old
 * tag is then recognised as late and dropped.
 */
static void frame_resend(struct aoe_dev *d, struct aoe_frame *f,
			 struct aoe_target *t, struct net_device *ifp,
			 struct sk_buff_head *txq)
{
	u32 max;

	frame_new_tag(f);
	if (!t) {
		f->deadline = jiffies + frame_timeout(f);
		return;
	}
	if (f->kind == AOE_FK_DATA) {
		max = path_max_bytes(t, ifp);
		if (!max || !frame_fit(d, f, max, t, ifp, txq)) {
			f->deadline = jiffies + AOE_RETRY_SOON;
			return;
		}
	}
	frame_send(d, f, t, ifp, txq);
}

/*
 * A target that stops answering is worth one line in the kernel log when
 * the silence has lasted AOE_STALL_REPORT_SECS (so that the journal shows
 * a target restart as it happens), and one when it ends; the frames
 * resent meanwhile go to the err device only.
 */
static void stall_check(struct aoe_dev *d, unsigned long now)
{
	lockdep_assert_held(&d->lock);
	if (d->stall_logged ||
	    time_before(now, d->last_progress + AOE_STALL_REPORT_SECS * HZ))
		return;
	d->stall_logged = true;
	pr_warn("%s: no answer for %lu s, retransmitting (aoe_deadsecs %u)\n",
		d->name, (now - d->last_progress) / HZ, aoe_deadsecs);
}

static void stall_end(struct aoe_dev *d)
{
	lockdep_assert_held(&d->lock);
	if (!d->stall_logged)
		return;
	d->stall_logged = false;
	pr_info("%s: answering again after %lu s\n", d->name,
		(jiffies - d->last_progress) / HZ);
}

/*
 * Where to resend @f: another target if its own has stopped answering and
 * a well one can serve (an unwell one would not do better), else another
 * path of its own target. A flush must reach the cache it is for, so it
 * stays with its target.
 */
static struct aoe_target *rexmit_target(struct aoe_dev *d,
					struct aoe_frame *f,
					struct net_device **ifpp)
{
	struct aoe_target *t;

	if (f->kind != AOE_FK_FLUSH && f->t->fails) {
		t = other_target(d, f, ifpp, false);
		if (t)
			return t;
	}
	*ifpp = aoedev_pick_path(d, f->t);
	if (*ifpp)
		return f->t;
	if (f->kind == AOE_FK_FLUSH)
		return NULL;
	return other_target(d, f, ifpp, true);
}

/* Resend @f; @queued: its earlier copy may still wait in its target. */
static void rexmit(struct aoe_dev *d, struct aoe_frame *f, bool queued,
		   struct sk_buff_head *txq)
{
	struct aoe_target *t = f->t;
	struct net_device *ifp;

	d->st.retransmits++;
	t->fails++;
	/* One window cut per round trip: only frames sent after it count. */
	if (time_after(f->sent_j, t->loss_stamp)) {
		aoe_win_loss(&t->win);
		t->loss_stamp = jiffies;
		t->cut_tag = f->tag;
	}
	f->prev_tag = f->tag;
	f->prev_sent_ns = f->sent_ns;
	if (queued)
		frame_ghost_set(d, f);
	trace_aoe_rexmit(d->name, f->tag, f->lba, f->retries, t->win.cwnd);
	aoechr_msg("%s: retransmit tag %08x lba %llu\n", d->name, f->tag,
		   (unsigned long long)f->lba);
	if (f->retries < U8_MAX)
		f->retries++;
	t = rexmit_target(d, f, &ifp);
	frame_resend(d, f, t, ifp, txq);
}

static void frame_redirect(struct aoe_dev *d, struct aoe_frame *f,
			   struct sk_buff_head *txq)
{
	struct net_device *ifp;
	struct aoe_target *t = other_target(d, f, &ifp, true);

	d->st.redirects++;
	f->redirects++;
	frame_resend(d, f, t, ifp, txq);
}

void aoecmd_ata_rsp(struct sk_buff *skb, struct net_device *ifp,
		    const struct aoe_rsp_info *ri)
{
	struct aoe_defer later;
	enum aoe_answer ans;
	struct aoe_frame *f;
	struct aoe_dev *d;
	u32 rtt = 0;

	d = aoedev_lookup_rcu(ri->shelf, ri->slot);
	if (!d) {
		atomic64_inc(&aoe_orphan_rsp);
		return;
	}
	aoe_defer_init(&later);
	spin_lock_bh(&d->lock);
	if (d->gone)
		goto unlock;
	f = match_frame(d, skb, ifp, ri, &later.done);
	if (!f)
		goto unlock;
	ans = frame_answer(d, f, skb, ri, &later.txq);
	if (ans == ANS_IGNORE)
		goto unlock;
	d->st.responses++;
	stall_end(d);
	d->last_progress = jiffies;
	f->t->fails = 0;
	frame_ghost_answered(d, f);
	if (f->sent_ns > f->t->answered_ns) {
		f->t->answered_ns = f->sent_ns;
		if (!f->t->reorders)
			target_ghosts_settle(d, f->t, &later.done);
	}
	if (!f->retries) {
		rtt = div_u64(ktime_get_ns() - f->sent_ns, NSEC_PER_USEC);
		aoe_rtt_sample(&f->t->rtt, rtt);
	}
	trace_aoe_rsp(d->name, ri->tag, ri->error, rsp_ata(skb)->cmdstat, rtt);
	if (ans == ANS_REDIRECT) {
		frame_redirect(d, f, &later.txq);
		goto pump;
	}
	aoe_win_ack(&f->t->win);
	if (!frame_hold(d, f))
		frame_done(d, f, &later.done);
pump:
	aoecmd_pump(d, &later.txq, &later.done);
unlock:
	spin_unlock_bh(&d->lock);
	aoe_defer_run(&later);
}

static void mark_down(struct aoe_dev *d, struct list_head *done)
{
	d->state = AOE_DS_DOWN;
	d->stall_logged = false;
	aoecmd_fail_all(d, done);
	pr_err("%s: no answer for %u s, device down\n", d->name,
	       aoe_deadsecs);
	aoechr_msg("%s: down\n", d->name);
	trace_aoe_state(d->name, false);
}

static void timer_rearm(struct aoe_dev *d)
{
	unsigned long next = jiffies + AOE_TIMER_MAX_SLEEP;
	struct aoe_frame *f;

	list_for_each_entry(f, &d->out_frames, node)
		if (time_before(f->deadline, next))
			next = f->deadline;
	if (!list_empty(&d->out_frames) || !list_empty(&d->pending))
		timer_arm(d, next);
}

/* What becomes of a frame past its deadline. */
enum aoe_rexmit {
	REXMIT_WAIT,	/* one more timeout: its target may still have it */
	REXMIT_LOST,	/* its target is past it: resend */
	REXMIT_AGAIN,	/* resend, though an earlier copy may still wait */
};

/*
 * If @f's target has since answered a frame sent after it, @f was lost,
 * unless that target answers out of order: then @f may still wait in its
 * queue behind others, and is resent like a frame of a busy target.
 * If the target has been silent since, @f most likely waits in a target
 * that stalled: a copy goes to another target if its own is sick and
 * another has room; to its own one only if the copy fits its buffer (the
 * earlier copy counts, see frame_ghost_set), one probe per target per
 * pass (@probed), the first frame in out_frames (the order frames were
 * taken). A frame long overdue (AOE_OVERDUE timeouts) is resent anyway.
 */
static enum aoe_rexmit rexmit_decide(struct aoe_dev *d, struct aoe_frame *f,
				     u32 *probed, unsigned long now)
{
	struct aoe_target *t;
	struct net_device *ifp;
	bool answering;
	u32 bit;

	if (!f->t)
		return REXMIT_LOST;
	answering = f->sent_ns < f->t->answered_ns;
	if (answering && !f->t->reorders)
		return REXMIT_LOST;
	if (f->t->fails >= AOE_TARGET_SICK && f->kind != AOE_FK_FLUSH) {
		t = other_target(d, f, &ifp, false);
		if (t && target_has_room(t))
			return REXMIT_AGAIN;
	}
	if (!target_has_room(f->t) &&
	    time_before(now, f->sent_j + AOE_OVERDUE * frame_timeout(f)))
		return REXMIT_WAIT;
	if (answering)		/* not stalled: no need to probe it first */
		return REXMIT_AGAIN;
	BUILD_BUG_ON(BITS_PER_TYPE(*probed) < AOE_MAX_TARGETS);
	bit = BIT(f->t - d->targets);
	if (*probed & bit)
		return REXMIT_WAIT;
	*probed |= bit;
	return REXMIT_AGAIN;
}

static void aoecmd_timer(struct timer_list *timer)
{
	struct aoe_dev *d = from_timer(d, timer, timer);
	struct aoe_frame *f, *fn;
	struct aoe_defer later;
	unsigned long now;
	u32 probed = 0;

	aoe_defer_init(&later);
	spin_lock_bh(&d->lock);
	if (d->gone)
		goto unlock;
	if (list_empty(&d->out_frames) && list_empty(&d->pending)) {
		aoenet_txpool_trim(d);
		goto unlock;
	}
	now = jiffies;
	if (aoe_deadsecs &&
	    time_after(now, d->last_progress + aoe_deadsecs * HZ)) {
		mark_down(d, &later.done);
		goto unlock;
	}
	stall_check(d, now);
	list_for_each_entry_safe(f, fn, &d->out_frames, node) {
		if (time_before(now, f->deadline))
			continue;
		if (f->held) {	/* its earlier copy is taken as lost now */
			frame_done(d, f, &later.done);
			continue;
		}
		switch (rexmit_decide(d, f, &probed, now)) {
		case REXMIT_WAIT:
			f->deadline = now + frame_timeout(f);
			break;
		case REXMIT_LOST:
			rexmit(d, f, false, &later.txq);
			break;
		case REXMIT_AGAIN:
			rexmit(d, f, true, &later.txq);
			break;
		}
	}
	aoecmd_pump(d, &later.txq, &later.done);
	timer_rearm(d);
unlock:
	spin_unlock_bh(&d->lock);
	aoe_defer_run(&later);
}

u64 aoecmd_orphans(void)
{
	return atomic64_read(&aoe_orphan_rsp);
}
