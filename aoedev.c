// SPDX-License-Identifier: GPL-2.0
/*
 * The device table and each device's lifecycle: creation, targets and
 * paths, the work item that creates the disk, forgetting and teardown.
 *
 * Teardown order (aoedev_teardown): unhash and mark gone, wait for an RCU
 * grace period (no receive handler still sees the device), stop the timer
 * and the work item, fail what is still outstanding, delete the disk, drop
 * the paths' interface references, drop the table's reference. The memory
 * goes with the last reference, which the gendisk may hold a little longer.
 */
#include <linux/blkdev.h>
#include <linux/etherdevice.h>
#include <linux/hashtable.h>
#include <linux/rtnetlink.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include "aoe.h"

#define AOE_DEV_HASH_BITS	8
/* A device that has not answered IDENTIFY this long may be evicted. */
#define AOE_NEW_GRACE		(10 * HZ)

/* Membership under aoe_devs_mutex; the receive path reads it under RCU. */
static DEFINE_HASHTABLE(aoe_devs, AOE_DEV_HASH_BITS);
static DEFINE_MUTEX(aoe_devs_mutex);
static unsigned int aoe_ndevs;

/* Caller holds rcu_read_lock() (the receive path does). */
struct aoe_dev *aoedev_lookup_rcu(u16 shelf, u8 slot)
{
	struct aoe_dev *d;

	RCU_LOCKDEP_WARN(!rcu_read_lock_any_held(),
			 "device lookup outside an RCU reader");
	hash_for_each_possible_rcu(aoe_devs, d, hnode,
				   aoe_addr_key(shelf, slot))
		if (d->shelf == shelf && d->slot == slot)
			return d;
	return NULL;
}

static struct aoe_dev *lookup_locked(u16 shelf, u8 slot)
{
	struct aoe_dev *d;

	lockdep_assert_held(&aoe_devs_mutex);
	hash_for_each_possible(aoe_devs, d, hnode,
			       aoe_addr_key(shelf, slot))
		if (d->shelf == shelf && d->slot == slot)
			return d;
	return NULL;
}

struct aoe_dev *aoedev_find_get(u16 shelf, u8 slot)
{
	struct aoe_dev *d;

	mutex_lock(&aoe_devs_mutex);
	d = lookup_locked(shelf, slot);
	if (d)
		kref_get(&d->kref);
	mutex_unlock(&aoe_devs_mutex);
	return d;
}

static void aoedev_release(struct kref *kref)
{
	struct aoe_dev *d = container_of(kref, struct aoe_dev, kref);

	aoenet_txpool_free(d->txpool);
	kfree(d->more_frames);
	kfree(d);
}

void aoedev_put(struct aoe_dev *d)
{
	kref_put(&d->kref, aoedev_release);
}

static void frames_init(struct aoe_dev *d, struct aoe_frame *f,
			unsigned int first, unsigned int n)
{
	unsigned int i;

	/* A tag's index names its frame: aoedev_frame(). */
	BUILD_BUG_ON(aoe_tag_idx(AOE_MAX_FRAMES - 1) != AOE_MAX_FRAMES - 1);
	lockdep_assert_held(&d->lock);
	for (i = 0; i < n; i++) {
		f[i].idx = first + i;
		list_add_tail(&f[i].node, &d->free_frames);
	}
}

/*
 * The frames beyond the boot ones, for a device that was identified (a
 * made-up address that only answers config queries never costs them).
 * Process context; they stay until the device is freed.
 */
static int aoedev_more_frames(struct aoe_dev *d)
{
	struct aoe_txpool *pool;
	struct aoe_frame *f;

	if (d->more_frames)
		return 0;
	/* One kmalloc-16k object, not a 32k one: keep the frame small. */
	BUILD_BUG_ON((AOE_MAX_FRAMES - AOE_BOOT_FRAMES) * sizeof(*f) > SZ_16K);
	BUILD_BUG_ON(sizeof(*pool) > SZ_2K);
	f = kcalloc(AOE_MAX_FRAMES - AOE_BOOT_FRAMES, sizeof(*f), GFP_KERNEL);
	pool = kzalloc(sizeof(*pool), GFP_KERNEL);
	if (!f || !pool) {
		kfree(pool);
		kfree(f);
		return -ENOMEM;
	}
	spin_lock_bh(&d->lock);
	frames_init(d, f, AOE_BOOT_FRAMES, AOE_MAX_FRAMES - AOE_BOOT_FRAMES);
	d->more_frames = f;
	d->txpool = pool;
	spin_unlock_bh(&d->lock);
	return 0;
}

/* The frame with tag index @idx, or NULL if there is none (yet). */
struct aoe_frame *aoedev_frame(struct aoe_dev *d, u32 idx)
{
	lockdep_assert_held(&d->lock);
	if (idx < AOE_BOOT_FRAMES)
		return &d->boot_frames[idx];
	if (idx >= AOE_MAX_FRAMES || !d->more_frames)
		return NULL;
	return &d->more_frames[idx - AOE_BOOT_FRAMES];
}

/*
 * As if never identified: the next config answer (a discovery's, at the
 * latest the periodic one) identifies it again, and the disk is retried.
 */
static void aoedev_unidentify(struct aoe_dev *d)
{
	spin_lock_bh(&d->lock);
	d->identified = false;
	d->state = AOE_DS_NEW;
	spin_unlock_bh(&d->lock);
}

static void aoedev_work(struct work_struct *work)
{
	struct aoe_dev *d = container_of(work, struct aoe_dev, work);
	bool gone;

	mutex_lock(&d->mtx);
	spin_lock_bh(&d->lock);
	gone = d->gone;
	spin_unlock_bh(&d->lock);
	if (gone)
		goto unlock;
	if (d->disk)
		aoeblk_update(d);
	else if (aoedev_more_frames(d) || aoeblk_add(d))
		aoedev_unidentify(d);
unlock:
	mutex_unlock(&d->mtx);
}

static struct aoe_dev *aoedev_alloc(u16 shelf, u8 slot)
{
	struct aoe_dev *d;

	BUILD_BUG_ON(AOE_BOOT_FRAMES < 1 || AOE_BOOT_FRAMES >= AOE_MAX_FRAMES);
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return NULL;
	kref_init(&d->kref);
	d->shelf = shelf;
	d->slot = slot;
	snprintf(d->name, sizeof(d->name), "e%u.%u", shelf, slot);
	mutex_init(&d->mtx);
	d->minor_idx = -1;
	spin_lock_init(&d->lock);
	d->state = AOE_DS_NEW;
	INIT_LIST_HEAD(&d->free_frames);
	INIT_LIST_HEAD(&d->out_frames);
	INIT_LIST_HEAD(&d->pending);
	spin_lock_bh(&d->lock);
	frames_init(d, d->boot_frames, 0, AOE_BOOT_FRAMES);
	spin_unlock_bh(&d->lock);
	d->last_progress = jiffies;
	d->created = jiffies;
	aoecmd_timer_init(d);
	INIT_WORK(&d->work, aoedev_work);
	mutex_init(&d->rsv_mtx);
	init_waitqueue_head(&d->rsv_wq);
	return d;
}

/* Take @d out of the table; it is torn down by aoedev_teardown(). */
static void aoedev_unhash(struct aoe_dev *d)
{
	lockdep_assert_held(&aoe_devs_mutex);
	hash_del_rcu(&d->hnode);
	aoe_ndevs--;
	spin_lock_bh(&d->lock);
	d->gone = true;
	spin_unlock_bh(&d->lock);
}

/*
 * At the aoe_maxdevs bound, a device that never answered IDENTIFY (a
 * made-up address from a flood of config answers, typically) gives way.
 */
static struct aoe_dev *evict_one(void)
{
	struct aoe_dev *d;
	bool never;
	int bkt;

	lockdep_assert_held(&aoe_devs_mutex);
	hash_for_each(aoe_devs, bkt, d, hnode) {
		spin_lock_bh(&d->lock);
		never = !d->identified && !d->gone;
		spin_unlock_bh(&d->lock);
		if (never && time_after(jiffies, d->created + AOE_NEW_GRACE)) {
			aoedev_unhash(d);
			return d;
		}
	}
	return NULL;
}

static void aoedev_teardown(struct aoe_dev *d);

/*
 * Find or create the device for shelf.slot; returns it with a reference the
 * caller puts, or NULL at the aoe_maxdevs bound or out of memory.
 */
struct aoe_dev *aoedev_create(u16 shelf, u8 slot)
{
	struct aoe_dev *d, *victim = NULL;

	mutex_lock(&aoe_devs_mutex);
	d = lookup_locked(shelf, slot);
	if (d)
		goto get;
	if (aoe_ndevs >= aoe_maxdevs) {
		victim = evict_one();
		if (!victim) {
			pr_warn_ratelimited("e%u.%u ignored: aoe_maxdevs (%u) reached\n",
					    shelf, slot, aoe_maxdevs);
			goto unlock;
		}
	}
	d = aoedev_alloc(shelf, slot);
	if (!d)
		goto unlock;
	hash_add_rcu(aoe_devs, &d->hnode, aoe_addr_key(shelf, slot));
	aoe_ndevs++;
get:
	kref_get(&d->kref);
unlock:
	mutex_unlock(&aoe_devs_mutex);
	if (victim) {
		pr_info_ratelimited("%s: never identified, forgotten for e%u.%u\n",
				    victim->name, shelf, slot);
		synchronize_rcu();
		aoedev_teardown(victim);
	}
	return d;
}

static void drop_paths(struct aoe_target *t, struct net_device *ifp)
{
	unsigned int i = 0;

	while (i < t->npaths) {
		struct aoe_path *p = &t->paths[i];

		if (ifp && p->ifp != ifp) {
			i++;
			continue;
		}
		netdev_put(p->ifp, &p->tracker);
		t->npaths--;
		if (i != t->npaths) {
			/* The tracker moves with its path. */
			*p = t->paths[t->npaths];
		}
		memset(&t->paths[t->npaths], 0, sizeof(*p));
	}
	t->next_path = 0;
}

/* After aoedev_unhash() and an RCU grace period. Process context. */
static void aoedev_teardown(struct aoe_dev *d)
{
	struct aoe_defer later;
	unsigned int i;

	aoe_defer_init(&later);
	aoecmd_timer_stop(d);
	cancel_work_sync(&d->work);
	spin_lock_bh(&d->lock);
	aoecmd_fail_all(d, &later.done);
	spin_unlock_bh(&d->lock);
	aoe_defer_run(&later);

	mutex_lock(&d->mtx);
	aoeblk_remove(d);
	mutex_unlock(&d->mtx);

	spin_lock_bh(&d->lock);
	for (i = 0; i < d->ntargets; i++)
		drop_paths(&d->targets[i], NULL);
	spin_unlock_bh(&d->lock);
	aoedev_put(d);
}

static bool aoedev_in_use(struct aoe_dev *d)
{
	bool open;

	mutex_lock(&d->mtx);
	open = d->disk && disk_openers(d->disk);
	mutex_unlock(&d->mtx);
	return open;
}

enum forget_mode {
	FORGET_DOWN,	/* empty write: devices down and unused */
	FORGET_ALL,	/* "all": every unused device */
	FORGET_ONE,	/* "eS.L": that device, -EBUSY if open */
};

static bool forget_wanted(struct aoe_dev *d, enum forget_mode mode,
			  u16 shelf, u8 slot)
{
	bool down;

	if (mode == FORGET_ONE)
		return d->shelf == shelf && d->slot == slot;
	if (mode == FORGET_ALL)
		return true;
	spin_lock_bh(&d->lock);
	down = d->state != AOE_DS_UP;
	spin_unlock_bh(&d->lock);
	return down;
}

static int forget_parse(const char *buf, size_t len, enum forget_mode *mode,
			u16 *shelf, u8 *slot)
{
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\0' ||
		       buf[len - 1] == ' '))
		len--;
	if (!len) {
		*mode = FORGET_DOWN;
		return 0;
	}
	if (len == 3 && !memcmp(buf, "all", 3)) {
		*mode = FORGET_ALL;
		return 0;
	}
	*mode = FORGET_ONE;
	return aoe_name_parse(buf, len, shelf, slot);
}

/* The flush character device: forget devices (see enum forget_mode). */
int aoedev_forget(const char *buf, size_t len)
{
	enum forget_mode mode;
	struct aoe_dev *d, *n;
	struct hlist_node *tmp;
	LIST_HEAD(victims);
	bool found = false;
	u16 shelf = 0;
	u8 slot = 0;
	int bkt, err;

	err = forget_parse(buf, len, &mode, &shelf, &slot);
	if (err)
		return err;
	mutex_lock(&aoe_devs_mutex);
	hash_for_each_safe(aoe_devs, bkt, tmp, d, hnode) {
		if (!forget_wanted(d, mode, shelf, slot))
			continue;
		found = true;
		if (aoedev_in_use(d)) {
			if (mode == FORGET_ONE)
				err = -EBUSY;
			continue;
		}
		aoedev_unhash(d);
		list_add_tail(&d->teardown_node, &victims);
	}
	if (mode == FORGET_ONE && !found)
		err = -ENODEV;
	/*
	 * Still under the table's mutex: the target may answer a discovery
	 * meanwhile, and the new device for the same shelf.slot must not be
	 * created before the old one's disk and debugfs file are gone.
	 */
	if (!list_empty(&victims))
		synchronize_rcu();
	list_for_each_entry_safe(d, n, &victims, teardown_node) {
		list_del(&d->teardown_node);
		pr_info("%s: forgotten\n", d->name);
		aoedev_teardown(d);
	}
	mutex_unlock(&aoe_devs_mutex);
	return err;
}

/* @ifp unregisters: forget it as a path everywhere. */
void aoedev_drop_ifp(struct net_device *ifp)
{
	struct aoe_dev *d;
	unsigned int i;
	int bkt;

	rcu_read_lock();
	hash_for_each_rcu(aoe_devs, bkt, d, hnode) {
		spin_lock_bh(&d->lock);
		for (i = 0; i < d->ntargets; i++)
			drop_paths(&d->targets[i], ifp);
		spin_unlock_bh(&d->lock);
	}
	rcu_read_unlock();
}

static bool aoedev_uses_ifp(struct aoe_dev *d, const struct net_device *ifp)
{
	unsigned int i;

	lockdep_assert_held(&d->lock);
	for (i = 0; i < d->ntargets; i++)
		if (aoedev_target_uses(&d->targets[i], ifp))
			return true;
	return false;
}

/* Whether some target of @d has a usable path now. */
static bool aoedev_reachable(struct aoe_dev *d)
{
	unsigned int i;

	lockdep_assert_held(&d->lock);
	for (i = 0; i < d->ntargets; i++)
		if (aoedev_target_reachable(d, &d->targets[i]))
			return true;
	return false;
}

enum reach_change { REACH_SAME, REACH_LOST, REACH_BACK };

/* Note @d's reachability after an event on @ifp; say what changed. */
static enum reach_change dev_note_reach(struct aoe_dev *d,
					const struct net_device *ifp)
{
	bool was, up;

	lockdep_assert_held(&d->lock);
	if (!aoedev_uses_ifp(d, ifp))
		return REACH_SAME;
	was = d->nopath;
	d->nopath = !aoedev_reachable(d);
	up = d->state == AOE_DS_UP && !d->gone;
	if (!up || was == d->nopath)
		return REACH_SAME;
	return d->nopath ? REACH_LOST : REACH_BACK;
}

static void report_reach(struct aoe_dev *d, enum reach_change c,
			 const struct net_device *ifp)
{
	const char *why;

	if (c == REACH_LOST) {
		why = netif_running(ifp) ? (netif_carrier_ok(ifp) ?
					    "not in aoe_iflist" :
					    "without carrier") : "down";
		pr_err("%s: no usable path: %s is %s and carried every path to it; I/O waits for a path (aoe_deadsecs %u)\n",
		       d->name, ifp->name, why, READ_ONCE(aoe_deadsecs));
		aoechr_msg("%s: no usable path: %s is %s\n", d->name,
			   ifp->name, why);
	} else if (c == REACH_BACK) {
		pr_info("%s: reachable again through %s\n", d->name, ifp->name);
		aoechr_msg("%s: reachable again through %s\n", d->name,
			   ifp->name);
	}
}

/*
 * @ifp went up or down or lost or found its carrier (a netdev notifier,
 * RTNL held): an up device whose every path it carried says so now, not
 * aoe_deadsecs later when its requests fail, and again when it is back.
 */
void aoedev_ifp_event(struct net_device *ifp)
{
	struct aoe_dev *d;
	int bkt;

	ASSERT_RTNL();
	rcu_read_lock();
	hash_for_each_rcu(aoe_devs, bkt, d, hnode) {
		enum reach_change c;

		spin_lock_bh(&d->lock);
		c = dev_note_reach(d, ifp);
		spin_unlock_bh(&d->lock);
		report_reach(d, c, ifp);
	}
	rcu_read_unlock();
}

struct aoe_target *aoedev_target(struct aoe_dev *d, const u8 *mac,
				 bool create)
{
	struct aoe_target *t;
	unsigned int i;

	lockdep_assert_held(&d->lock);
	for (i = 0; i < d->ntargets; i++)
		if (ether_addr_equal(d->targets[i].mac, mac))
			return &d->targets[i];
	if (!create || d->ntargets >= AOE_MAX_TARGETS)
		return NULL;
	t = &d->targets[d->ntargets++];
	memset(t, 0, sizeof(*t));
	ether_addr_copy(t->mac, mac);
	aoe_rtt_init(&t->rtt);
	aoe_win_init(&t->win, 1);
	t->loss_stamp = jiffies;
	return t;
}

/* Whether @ifp is one of @t's paths (usable or not). */
bool aoedev_target_uses(const struct aoe_target *t,
			const struct net_device *ifp)
{
	unsigned int i;

	for (i = 0; i < t->npaths; i++)
		if (t->paths[i].ifp == ifp)
			return true;
	return false;
}

int aoedev_add_path(struct aoe_dev *d, struct aoe_target *t,
		    struct net_device *ifp)
{
	struct aoe_path *p;

	lockdep_assert_held(&d->lock);
	if (aoedev_target_uses(t, ifp))
		return 0;
	if (t->npaths >= AOE_MAX_PATHS)
		return -ENOSPC;
	p = &t->paths[t->npaths++];
	p->ifp = ifp;
	netdev_hold(ifp, &p->tracker, GFP_ATOMIC);
	return 0;
}

/* Whether @t has a usable path; unlike aoedev_pick_path(), no state moves. */
bool aoedev_target_reachable(struct aoe_dev *d, const struct aoe_target *t)
{
	unsigned int i;

	lockdep_assert_held(&d->lock);
	for (i = 0; i < t->npaths; i++)
		if (aoenet_path_usable(t->paths[i].ifp))
			return true;
	return false;
}

/* The next usable path of @t, round robin; NULL if none is usable now. */
struct net_device *aoedev_pick_path(struct aoe_dev *d, struct aoe_target *t)
{
	unsigned int i;

	lockdep_assert_held(&d->lock);
	for (i = 0; i < t->npaths; i++) {
		unsigned int k = (t->next_path + i) % t->npaths;

		if (aoenet_path_usable(t->paths[k].ifp)) {
			t->next_path = k + 1;
			return t->paths[k].ifp;
		}
	}
	return NULL;
}

/*
 * For sysfs: "up", "up,nopath" (identified, but no target has a usable
 * path now: its interfaces are down, without carrier or not allowed),
 * or "down"; and whether a down device is still open. Only the disk's own
 * sysfs attributes call it, so d->disk is read without d->mtx: del_gendisk
 * removes them and waits for their readers before aoeblk_remove clears the
 * pointer and puts the disk.
 */
const char *aoedev_state_str(struct aoe_dev *d, bool *closewait)
{
	bool up, reach;

	spin_lock_bh(&d->lock);
	up = d->state == AOE_DS_UP && !d->gone;
	reach = aoedev_reachable(d);
	spin_unlock_bh(&d->lock);
	*closewait = !up && d->disk && disk_openers(d->disk);
	if (!up)
		return "down";
	return reach ? "up" : "up,nopath";
}

/* Module exit: the receive hook is gone and no disk is open. */
void aoedev_exit(void)
{
	struct aoe_dev *d, *n;
	struct hlist_node *tmp;
	LIST_HEAD(victims);
	int bkt;

	mutex_lock(&aoe_devs_mutex);
	hash_for_each_safe(aoe_devs, bkt, tmp, d, hnode) {
		aoedev_unhash(d);
		list_add_tail(&d->teardown_node, &victims);
	}
	mutex_unlock(&aoe_devs_mutex);
	synchronize_rcu();
	list_for_each_entry_safe(d, n, &victims, teardown_node) {
		list_del(&d->teardown_node);
		aoedev_teardown(d);
	}
}
