// SPDX-License-Identifier: GPL-2.0
/*
 * Discovery: config queries, broadcast every AOE_DISCOVER_SECS and when
 * aoe-discover asks, and their answers. An answer for a known shelf.slot
 * records its target and path (and IDENTIFYs a device not yet up); one for
 * an unknown address is queued, one entry per address and at most
 * aoe_maxdevs in all, for a work item that creates the device, since that
 * sleeps. Revalidation asks a device's targets again.
 *
 * The I/O engine (aoecmd.c) is reached only through aoecmd_send_ident and
 * aoecmd_send_ident_any.
 */
#include <linux/etherdevice.h>
#include <linux/hashtable.h>
#include <linux/if_arp.h>
#include <linux/slab.h>

#include "aoe.h"

#define AOE_NEWQ_HASH_BITS	6

/* Config answers from new addresses that found the queue full. */
static atomic64_t aoe_newq_dropped = ATOMIC64_INIT(0);

static struct sk_buff *cfg_query_skb(struct net_device *ifp, const u8 *dst,
				     u16 shelf, u8 slot)
{
	struct sk_buff *skb;

	skb = aoenet_skb(ifp, dst, AOE_CFG_HLEN);
	if (!skb)
		return NULL;
	aoe_hdr_build(skb_put(skb, sizeof(struct aoe_hdr)), shelf, slot,
		      AOE_CMD_CFG, 0);
	aoe_cfg_build_query(skb_put(skb, sizeof(struct aoe_cfg)));
	return skb;
}

static bool discover_ok(struct net_device *ifp)
{
	return ifp->type == ARPHRD_ETHER && !(ifp->flags & IFF_LOOPBACK) &&
	       netif_running(ifp) && aoenet_if_allowed(ifp);
}

/* Broadcast a config query on every allowed interface. */
void aoedisc_discover(void)
{
	struct aoe_defer later;
	struct net_device *ifp;
	struct sk_buff *skb;

	aoe_defer_init(&later);
	rcu_read_lock();
	for_each_netdev_rcu(&init_net, ifp) {
		if (!discover_ok(ifp))
			continue;
		skb = cfg_query_skb(ifp, ifp->broadcast, AOE_BCAST_SHELF,
				    AOE_BCAST_SLOT);
		if (skb)
			__skb_queue_tail(&later.txq, skb);
	}
	rcu_read_unlock();
	aoe_defer_run(&later);
}

/* Ask every target of @d for its config again, and IDENTIFY it again. */
void aoedisc_revalidate(struct aoe_dev *d)
{
	struct aoe_defer later;
	struct sk_buff *skb;
	unsigned int i;

	aoe_defer_init(&later);
	spin_lock_bh(&d->lock);
	for (i = 0; i < d->ntargets && !d->gone; i++) {
		struct aoe_target *t = &d->targets[i];
		struct net_device *ifp = aoedev_pick_path(d, t);

		if (!ifp)
			continue;
		skb = cfg_query_skb(ifp, t->mac, d->shelf, d->slot);
		if (skb)
			__skb_queue_tail(&later.txq, skb);
	}
	if (!d->gone)
		aoecmd_send_ident_any(d, &later.txq);
	spin_unlock_bh(&d->lock);
	aoe_defer_run(&later);
}

/* Record what a config answer says about the target behind it. */
static void cfg_apply(struct aoe_dev *d, struct net_device *ifp,
		      const u8 *mac, const struct aoe_cfg_info *ci,
		      struct sk_buff_head *txq)
{
	struct aoe_target *t;

	lockdep_assert_held(&d->lock);
	t = aoedev_target(d, mac, true);
	if (!t) {
		d->st.unexpected++;
		return;
	}
	t->bufcnt = ci->bufcnt;
	t->fwver = ci->fwver;
	t->scnt = ci->scnt;
	t->fails = 0;		/* it answers: worth trying again */
	aoe_win_set_limit(&t->win, min_t(u32, min_t(u32, ci->bufcnt, aoe_maxout),
					 AOE_MAX_FRAMES));
	if (aoedev_add_path(d, t, ifp))
		return;
	if (d->state != AOE_DS_UP)
		aoecmd_send_ident(d, t, ifp, txq);
}

struct aoe_newdev {
	struct list_head node;
	struct hlist_node hnode;	/* in aoe_newq_hash, by shelf.slot */
	u16 shelf;
	u8 slot;
	u8 mac[ETH_ALEN];
	int ifindex;
	struct aoe_cfg_info ci;
};

/*
 * Config answers from unknown shelf.slot addresses, for aoe_newdev_work,
 * one per address, at most aoe_maxdevs (a broadcast query to a large SAN
 * is answered by every disk at once; more could never become devices).
 */
static LIST_HEAD(aoe_newq);
static DEFINE_HASHTABLE(aoe_newq_hash, AOE_NEWQ_HASH_BITS);
static unsigned int aoe_newq_len;
static DEFINE_SPINLOCK(aoe_newq_lock);
static void newdev_work(struct work_struct *work);
static DECLARE_WORK(aoe_newdev_work, newdev_work);

static bool newq_has(u16 shelf, u8 slot)
{
	struct aoe_newdev *nd;

	lockdep_assert_held(&aoe_newq_lock);
	hash_for_each_possible(aoe_newq_hash, nd, hnode,
			       aoe_addr_key(shelf, slot))
		if (nd->shelf == shelf && nd->slot == slot)
			return true;
	return false;
}

static void newq_add(const struct aoe_rsp_info *ri, struct net_device *ifp,
		     const u8 *mac, const struct aoe_cfg_info *ci)
{
	struct aoe_newdev *nd;

	spin_lock_bh(&aoe_newq_lock);
	if (newq_has(ri->shelf, ri->slot))
		goto unlock;
	if (aoe_newq_len >= READ_ONCE(aoe_maxdevs)) {
		atomic64_inc(&aoe_newq_dropped);
		goto unlock;
	}
	nd = kmalloc(sizeof(*nd), GFP_ATOMIC | __GFP_NOWARN);
	if (!nd)
		goto unlock;
	nd->shelf = ri->shelf;
	nd->slot = ri->slot;
	ether_addr_copy(nd->mac, mac);
	nd->ifindex = ifp->ifindex;
	nd->ci = *ci;
	list_add_tail(&nd->node, &aoe_newq);
	hash_add(aoe_newq_hash, &nd->hnode,
		 aoe_addr_key(nd->shelf, nd->slot));
	aoe_newq_len++;
	queue_work(aoe_wq, &aoe_newdev_work);
unlock:
	spin_unlock_bh(&aoe_newq_lock);
}

static struct aoe_newdev *newq_pop(void)
{
	struct aoe_newdev *nd;

	spin_lock_bh(&aoe_newq_lock);
	nd = list_first_entry_or_null(&aoe_newq, struct aoe_newdev, node);
	if (nd) {
		list_del(&nd->node);
		hash_del(&nd->hnode);
		aoe_newq_len--;
	}
	spin_unlock_bh(&aoe_newq_lock);
	return nd;
}

static void newdev_one(struct aoe_newdev *nd)
{
	struct aoe_defer later;
	struct net_device *ifp;
	struct aoe_dev *d;

	d = aoedev_create(nd->shelf, nd->slot);
	if (!d)
		return;
	ifp = dev_get_by_index(&init_net, nd->ifindex);
	if (ifp) {
		aoe_defer_init(&later);
		spin_lock_bh(&d->lock);
		if (!d->gone)
			cfg_apply(d, ifp, nd->mac, &nd->ci, &later.txq);
		spin_unlock_bh(&d->lock);
		aoe_defer_run(&later);
		dev_put(ifp);
	}
	aoedev_put(d);
}

static void newdev_work(struct work_struct *work)
{
	struct aoe_newdev *nd;

	while ((nd = newq_pop())) {
		newdev_one(nd);
		kfree(nd);
	}
}

void aoedisc_cfg_rsp(struct sk_buff *skb, struct net_device *ifp,
		     const struct aoe_rsp_info *ri)
{
	const u8 *mac = eth_hdr(skb)->h_source;
	struct aoe_cfg_info ci;
	struct aoe_defer later;
	struct aoe_dev *d;

	if (ri->error || !is_valid_ether_addr(mac))
		return;
	if (aoe_cfg_parse(skb->data, skb->len, &ci))
		return;
	d = aoedev_lookup_rcu(ri->shelf, ri->slot);
	if (!d) {
		newq_add(ri, ifp, mac, &ci);
		return;
	}
	aoe_defer_init(&later);
	spin_lock_bh(&d->lock);
	if (!d->gone)
		cfg_apply(d, ifp, mac, &ci, &later.txq);
	spin_unlock_bh(&d->lock);
	aoe_defer_run(&later);
}

static void disc_work(struct work_struct *work);
static DECLARE_DELAYED_WORK(aoe_disc_work, disc_work);

static void disc_work(struct work_struct *work)
{
	aoedisc_discover();
	queue_delayed_work(aoe_wq, &aoe_disc_work, AOE_DISCOVER_SECS * HZ);
}

void aoedisc_init(void)
{
	queue_delayed_work(aoe_wq, &aoe_disc_work, 0);
}

/* After the receive hook is gone: nothing queues new work any more. */
void aoedisc_exit(void)
{
	struct aoe_newdev *nd;

	cancel_delayed_work_sync(&aoe_disc_work);
	cancel_work_sync(&aoe_newdev_work);
	while ((nd = newq_pop()))
		kfree(nd);
}

u64 aoedisc_newq_dropped(void)
{
	return atomic64_read(&aoe_newq_dropped);
}
