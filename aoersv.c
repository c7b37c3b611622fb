// SPDX-License-Identifier: GPL-2.0
/*
 * Reservations: AoE command 3 and the block layer's persistent-reservation
 * operations (pr_ops) mapped onto it, and the opt-in guard that reserves a
 * disk while it is open for writing (aoe_reserve_open).
 *
 * An AoE target keeps one list of MAC addresses. While it is not empty the
 * target answers every command but IDENTIFY from any other MAC with AoE
 * error 6; "set" changes the list only if it is empty or holds the sender,
 * "force" changes it anyway. There are no keys and no registrations, and
 * the list is per target: a device served by several targets (ports) is
 * reserved when every one of them holds this host's list. The list this
 * host sets holds the MAC of every local interface it reaches the device's
 * targets through, so that multipath keeps working.
 *
 * Each operation runs in process context, one at a time per device
 * (aoe_dev.rsv_mtx, taken before aoe_dev.lock): it sends one frame to every
 * target and sleeps until each has answered, resending to the silent ones.
 * Answers come in softirq context (aoersv_rsp) and are matched by tag,
 * source MAC and interface under aoe_dev.lock, like every other answer.
 */
#include <linux/etherdevice.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/pr.h>
#include <linux/wait.h>

#include "aoe.h"
#include "aoecompat.h"

#define AOE_RSV_TRIES		4	/* sends per target and operation */
#define AOE_RSV_WAIT		(HZ / 2)	/* for answers after each */

bool aoe_reserve_open;
module_param(aoe_reserve_open, bool, 0644);
MODULE_PARM_DESC(aoe_reserve_open,
		 "Reserve a disk (AoE command 3) when it is opened for writing and release it on its last close; the open fails with EBUSY if another host holds it (default N)");

/* What the targets answered in the last operation. */
struct rsv_sum {
	bool refused;			/* one answered error 6 */
	bool ours;			/* one holds this host's list */
	bool foreign;			/* one holds another host's: @list */
	struct aoe_rsv_info list;
	int err;			/* another error answer */
};

/* The MACs of the interfaces that reach @d's targets: the list we set. */
static void rsv_collect_mine(struct aoe_dev *d)
{
	unsigned int i, j, k;

	lockdep_assert_held(&d->lock);
	d->rsv_nmine = 0;
	for (i = 0; i < d->ntargets; i++) {
		struct aoe_target *t = &d->targets[i];

		for (j = 0; j < t->npaths; j++) {
			const u8 *mac = t->paths[j].ifp->dev_addr;

			for (k = 0; k < d->rsv_nmine; k++)
				if (ether_addr_equal(d->rsv_mine[k], mac))
					break;
			if (k == d->rsv_nmine && k < AOE_RSV_MINE_MAX)
				ether_addr_copy(d->rsv_mine[d->rsv_nmine++],
						mac);
		}
	}
}

/* Queue a command-3 frame to @t under a fresh tag; false if no path. */
static bool rsv_send_one(struct aoe_dev *d, struct aoe_target *t, u8 rcmd,
			 unsigned int nmacs, struct sk_buff_head *txq)
{
	struct net_device *ifp = aoedev_pick_path(d, t);
	struct sk_buff *skb;

	lockdep_assert_held(&d->lock);
	if (!ifp)
		return false;
	d->rsv_gen = (d->rsv_gen + 1) & ~AOE_TAG_USER;
	if (!d->rsv_gen)
		d->rsv_gen = 1;
	t->rsv_tag = d->rsv_gen;
	skb = aoenet_skb(ifp, t->mac, AOE_RSV_HLEN + nmacs * ETH_ALEN);
	if (!skb)
		return true;	/* as if lost: sent again after a wait */
	aoe_hdr_build(skb_put(skb, sizeof(struct aoe_hdr)), d->shelf, d->slot,
		      AOE_CMD_RESERVE, t->rsv_tag);
	aoe_rsv_build(skb_put(skb, sizeof(struct aoe_rsv) + nmacs * ETH_ALEN),
		      rcmd, d->rsv_mine[0], nmacs);
	__skb_queue_tail(txq, skb);
	return true;
}

/* Send to every target that has not answered; how many were sent to. */
static unsigned int rsv_send(struct aoe_dev *d, u8 rcmd, bool list)
{
	struct aoe_defer later;
	unsigned int i, n = 0;

	aoe_defer_init(&later);
	spin_lock_bh(&d->lock);
	for (i = 0; i < d->ntargets && !d->gone; i++) {
		struct aoe_target *t = &d->targets[i];

		if (!t->rsv_answered &&
		    rsv_send_one(d, t, rcmd, list ? d->rsv_nmine : 0, &later.txq))
			n++;
	}
	spin_unlock_bh(&d->lock);
	aoe_defer_run(&later);
	return n;
}

static bool rsv_all_answered(struct aoe_dev *d)
{
	unsigned int i;
	bool all = true;

	spin_lock_bh(&d->lock);
	for (i = 0; i < d->ntargets; i++)
		if (!d->targets[i].rsv_answered && d->targets[i].rsv_tag)
			all = false;
	spin_unlock_bh(&d->lock);
	return all;
}

/* Start an operation: forget the last answers, note this host's MACs. */
static void rsv_begin(struct aoe_dev *d)
{
	unsigned int i;

	lockdep_assert_held(&d->rsv_mtx);
	spin_lock_bh(&d->lock);
	rsv_collect_mine(d);
	for (i = 0; i < d->ntargets; i++) {
		d->targets[i].rsv_answered = false;
		d->targets[i].rsv_tag = 0;
	}
	spin_unlock_bh(&d->lock);
}

/*
 * Send @rcmd (with this host's list if @list, else an empty one) to every
 * target and wait for all answers. 0 when each target that can be reached
 * answered; -ENXIO when none can be, -ETIMEDOUT when one stayed silent,
 * -EINTR.
 */
static int rsv_exec(struct aoe_dev *d, u8 rcmd, bool list)
{
	unsigned int try;
	long left;

	rsv_begin(d);
	for (try = 0; try < AOE_RSV_TRIES; try++) {
		/* None left to send to: each answered or lost its path. */
		if (!rsv_send(d, rcmd, list))
			return try ? 0 : -ENXIO;
		left = wait_event_interruptible_timeout(d->rsv_wq,
							rsv_all_answered(d),
							AOE_RSV_WAIT);
		if (left < 0)
			return -EINTR;
		if (left > 0)
			return 0;
	}
	return -ETIMEDOUT;
}

static void rsv_summary(struct aoe_dev *d, struct rsv_sum *sum)
{
	unsigned int i;

	memset(sum, 0, sizeof(*sum));
	spin_lock_bh(&d->lock);
	for (i = 0; i < d->ntargets; i++) {
		struct aoe_target *t = &d->targets[i];

		if (!t->rsv_answered)
			continue;
		if (t->rsv_err == -EBUSY) {
			sum->refused = true;
		} else if (t->rsv_err) {
			sum->err = t->rsv_err;
		} else if (t->rsv.nmacs && t->rsv.ours) {
			sum->ours = true;
		} else if (t->rsv.nmacs && !sum->foreign) {
			sum->foreign = true;
			sum->list = t->rsv;
		}
	}
	spin_unlock_bh(&d->lock);
}

/*
 * Run one command and sum it up: 0, AOE_PR_CONFLICT (a positive status,
 * as the block layer's pr ioctls return), or a negative errno.
 */
static int rsv_do(struct aoe_dev *d, u8 rcmd, bool list, bool foreign_ok)
{
	struct rsv_sum sum;
	int err;

	err = rsv_exec(d, rcmd, list);
	if (err)
		return err;
	rsv_summary(d, &sum);
	if (sum.refused || (sum.foreign && !foreign_ok))
		return AOE_PR_CONFLICT;
	return sum.err;
}

/* Empty every list that is ours; a list with another host is left. */
static int rsv_release(struct aoe_dev *d)
{
	int err;

	lockdep_assert_held(&d->rsv_mtx);
	err = rsv_do(d, AOE_RCMD_READ, false, false);
	if (err)
		return err;
	return rsv_do(d, AOE_RCMD_SET, false, false);
}

/* An answer to a command-3 frame; softirq context. */
void aoersv_rsp(struct sk_buff *skb, struct net_device *ifp,
		const struct aoe_rsp_info *ri)
{
	struct aoe_target *t;
	struct aoe_dev *d;
	bool wake = false;

	d = aoedev_lookup_rcu(ri->shelf, ri->slot);
	if (!d)
		return;
	spin_lock_bh(&d->lock);
	t = aoedev_target(d, eth_hdr(skb)->h_source, false);
	if (!t || !t->rsv_tag || t->rsv_tag != ri->tag ||
	    !aoedev_target_uses(t, ifp)) {
		d->st.unexpected++;
		goto unlock;
	}
	if (ri->error) {
		t->rsv_err = ri->error == AOE_ERR_RESERVED ? -EBUSY : -EIO;
	} else if (aoe_rsv_parse(skb->data, skb->len, d->rsv_mine[0],
				 d->rsv_nmine, &t->rsv)) {
		d->st.malformed++;
		goto unlock;
	} else {
		t->rsv_err = 0;
	}
	d->st.responses++;
	t->rsv_tag = 0;
	t->rsv_answered = true;
	wake = true;
	if (!ri->error && t->rsv_report) {
		t->rsv_report = false;
		if (t->rsv.nmacs && !t->rsv.ours)
			pr_err("%s: reserved by %pm (target %pm refuses this host)\n",
			       d->name, t->rsv.macs[0], t->mac);
	}
unlock:
	spin_unlock_bh(&d->lock);
	if (wake)
		wake_up(&d->rsv_wq);
}

/*
 * An I/O frame to @t was refused with error 6: say so once, and ask @t
 * who holds it (the answer names the holder in the log). Under d->lock.
 */
void aoersv_refused(struct aoe_dev *d, struct aoe_target *t,
		    struct sk_buff_head *txq)
{
	lockdep_assert_held(&d->lock);
	if (t->rsv_logged)
		return;
	t->rsv_logged = true;
	pr_err("%s: reserved by another host: target %pm answers AoE error 6\n",
	       d->name, t->mac);
	aoechr_msg("%s: reserved by another host\n", d->name);
	if (t->rsv_tag)
		return;		/* an operation is asking already */
	t->rsv_report = true;
	rsv_send_one(d, t, AOE_RCMD_READ, 0, txq);
}

static struct aoe_dev *bdev_dev(struct block_device *bdev)
{
	return bdev->bd_disk->private_data;
}

/*
 * Keys: AoE has none. A registered key is kept on this host only; when one
 * is kept, the other operations must name it (PR_FL_IGNORE_KEY aside), so
 * that two programs here cannot undo each other's reservation by mistake.
 */
static bool rsv_key_ok(struct aoe_dev *d, u64 key)
{
	lockdep_assert_held(&d->rsv_mtx);
	return !d->pr_key || d->pr_key == key;
}

static int aoersv_pr_register(struct block_device *bdev, u64 old_key,
			      u64 new_key, u32 flags)
{
	struct aoe_dev *d = bdev_dev(bdev);
	int err = 0;

	mutex_lock(&d->rsv_mtx);
	if (!(flags & PR_FL_IGNORE_KEY) && !rsv_key_ok(d, old_key))
		err = AOE_PR_CONFLICT;
	else
		d->pr_key = new_key;
	mutex_unlock(&d->rsv_mtx);
	return err;
}

/* Not a command-3 code: read the list, then empty it if it is ours. */
#define RSV_RELEASE		(-1)

/*
 * Reserve (AOE_RCMD_SET), preempt (AOE_RCMD_FORCE) or release. Only
 * "exclusive access" is what an AoE reservation does.
 */
static int rsv_pr_run(struct block_device *bdev, u64 key, enum pr_type type,
		      int rcmd)
{
	struct aoe_dev *d = bdev_dev(bdev);
	int err = 0;

	if (type != PR_EXCLUSIVE_ACCESS)
		return -EOPNOTSUPP;
	mutex_lock(&d->rsv_mtx);
	if (!rsv_key_ok(d, key))
		err = AOE_PR_CONFLICT;
	else if (rcmd == RSV_RELEASE)
		err = rsv_release(d);
	else
		err = rsv_do(d, rcmd, true, false);
	mutex_unlock(&d->rsv_mtx);
	return err;
}

static int aoersv_pr_reserve(struct block_device *bdev, u64 key,
			     enum pr_type type, u32 flags)
{
	return rsv_pr_run(bdev, key, type, AOE_RCMD_SET);
}

static int aoersv_pr_release(struct block_device *bdev, u64 key,
			     enum pr_type type)
{
	return rsv_pr_run(bdev, key, type, RSV_RELEASE);
}

/* Take the reservation whoever holds it (a dead host, say). */
static int aoersv_pr_preempt(struct block_device *bdev, u64 old_key,
			     u64 new_key, enum pr_type type, bool abort)
{
	return rsv_pr_run(bdev, new_key, type, AOE_RCMD_FORCE);
}

/* Empty the list whoever holds it, and forget the key. */
static int aoersv_pr_clear(struct block_device *bdev, u64 key)
{
	struct aoe_dev *d = bdev_dev(bdev);
	int err;

	mutex_lock(&d->rsv_mtx);
	err = rsv_key_ok(d, key) ? 0 : AOE_PR_CONFLICT;
	if (!err)
		err = rsv_do(d, AOE_RCMD_FORCE, false, true);
	if (!err)
		d->pr_key = 0;
	mutex_unlock(&d->rsv_mtx);
	return err;
}

const struct pr_ops aoersv_pr_ops = {
	.pr_register = aoersv_pr_register,
	.pr_reserve = aoersv_pr_reserve,
	.pr_release = aoersv_pr_release,
	.pr_preempt = aoersv_pr_preempt,
	.pr_clear = aoersv_pr_clear,
};

/*
 * For the sysfs attribute: "none", "this host", the first list that holds
 * another host's MACs, or "another host" when a target refuses to tell.
 * Asks the targets; may sleep.
 */
ssize_t aoersv_show(struct aoe_dev *d, char *buf)
{
	struct rsv_sum sum;
	unsigned int i, n;
	ssize_t len = 0;
	int err;

	mutex_lock(&d->rsv_mtx);
	err = rsv_exec(d, AOE_RCMD_READ, false);
	if (!err)
		rsv_summary(d, &sum);
	mutex_unlock(&d->rsv_mtx);
	if (err || sum.err)
		return err ? err : sum.err;
	if (!sum.foreign)
		return sysfs_emit(buf, "%s\n", sum.refused ? "another host" :
				  sum.ours ? "this host" : "none");
	n = min_t(unsigned int, sum.list.nmacs, AOE_RSV_KEEP);
	for (i = 0; i < n; i++)
		len += sysfs_emit_at(buf, len, "%s%pm", i ? " " : "",
				     sum.list.macs[i]);
	len += sysfs_emit_at(buf, len, "\n");
	return len;
}

/*
 * The guard, from ->open: the first open for writing while the parameter
 * is on reserves the disk. The kernel calls ->open for the first open of
 * the whole disk and of each partition only, so a write open of a
 * partition that is open already (blkid's, for a moment) is not seen.
 */
int aoersv_open(struct aoe_dev *d, bool write)
{
	int err = 0;

	mutex_lock(&d->rsv_mtx);
	if (write && READ_ONCE(aoe_reserve_open) && !d->rsv_guard) {
		err = rsv_do(d, AOE_RCMD_SET, true, false);
		if (err == AOE_PR_CONFLICT) {
			pr_err("%s: held by another host's reservation: not opened for writing\n",
			       d->name);
			err = -EBUSY;
		} else if (err) {
			pr_err("%s: cannot reserve (%d): not opened for writing\n",
			       d->name, err);
			err = -EIO;
		} else {
			d->rsv_guard = true;
		}
	}
	if (!err)
		d->rsv_opens++;
	mutex_unlock(&d->rsv_mtx);
	return err;
}

/* From ->release: the last close gives back what the guard took. */
void aoersv_release(struct aoe_dev *d)
{
	int err;

	mutex_lock(&d->rsv_mtx);
	if (!WARN_ON_ONCE(!d->rsv_opens) && !--d->rsv_opens &&
	    d->rsv_guard) {
		d->rsv_guard = false;
		err = rsv_release(d);
		if (err)
			pr_warn("%s: reservation not released (%d)\n",
				d->name, err);
	}
	mutex_unlock(&d->rsv_mtx);
}
