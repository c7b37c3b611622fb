// SPDX-License-Identifier: GPL-2.0
/*
 * The network side: the receive hook for ethertype 0x88A2, the list of
 * interfaces AoE may use, frame allocation and transmit, and the netdev
 * notifier that drops interfaces as they unregister.
 *
 * Every skb handed to aoenet_xmit() carries a reference on its device, taken
 * while the path that chose the device was known to be valid (under the
 * device lock, or RCU for discovery) and dropped after dev_queue_xmit(). An
 * interface that unregisters meanwhile therefore waits for us instead of
 * being freed under a frame in flight.
 */
#include <linux/error-injection.h>
#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/netdevice.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>

#include "aoe.h"

struct aoe_iflist {
	struct rcu_head rcu;
	int n;
	char names[AOE_MAX_IFLIST][IFNAMSIZ];
};

/* Frames dropped before dev_queue_xmit(): their interface could not send. */
static atomic64_t aoe_tx_dropped = ATOMIC64_INIT(0);

/* Readers use RCU; writers serialize on aoe_ifl_mutex (process context). */
static struct aoe_iflist __rcu *aoe_ifl;
static DEFINE_MUTEX(aoe_ifl_mutex);

int aoenet_set_iflist(const char *s, size_t len)
{
	struct aoe_iflist *nl, *old;
	int n;

	nl = kzalloc(sizeof(*nl), GFP_KERNEL);
	if (!nl)
		return -ENOMEM;
	n = aoe_iflist_parse(s, len, nl->names, AOE_MAX_IFLIST);
	if (n < 0) {
		kfree(nl);
		return n;
	}
	nl->n = n;
	mutex_lock(&aoe_ifl_mutex);
	old = rcu_replace_pointer(aoe_ifl, nl,
				  lockdep_is_held(&aoe_ifl_mutex));
	mutex_unlock(&aoe_ifl_mutex);
	if (old)
		kfree_rcu(old, rcu);
	return 0;
}

static int iflist_param_set(const char *val, const struct kernel_param *kp)
{
	return aoenet_set_iflist(val, strlen(val));
}

static int iflist_param_get(char *buf, const struct kernel_param *kp)
{
	const struct aoe_iflist *l;
	int i, len = 0;

	rcu_read_lock();
	l = rcu_dereference(aoe_ifl);
	for (i = 0; l && i < l->n; i++)
		len += scnprintf(buf + len, PAGE_SIZE - len, "%s%s",
				 i ? " " : "", l->names[i]);
	rcu_read_unlock();
	len += scnprintf(buf + len, PAGE_SIZE - len, "\n");
	return len;
}

static const struct kernel_param_ops iflist_param_ops = {
	.set = iflist_param_set,
	.get = iflist_param_get,
};

module_param_cb(aoe_iflist, &iflist_param_ops, NULL, 0644);
MODULE_PARM_DESC(aoe_iflist,
		 "Interfaces AoE may use, space or comma separated; empty means all (default: empty)");

bool aoenet_if_allowed(const struct net_device *ifp)
{
	const struct aoe_iflist *l;
	bool ok = true;
	int i;

	rcu_read_lock();
	l = rcu_dereference(aoe_ifl);
	if (l && l->n) {
		ok = false;
		for (i = 0; i < l->n; i++) {
			if (!strcmp(l->names[i], ifp->name)) {
				ok = true;
				break;
			}
		}
	}
	rcu_read_unlock();
	return ok;
}

/* A path may carry frames now: allowed, up, with carrier. */
bool aoenet_path_usable(const struct net_device *ifp)
{
	return ifp && netif_running(ifp) && netif_carrier_ok(ifp) &&
	       aoenet_if_allowed(ifp);
}

/*
 * Allocate a frame for @ifp with its Ethernet header filled in and room for
 * @len bytes after it, which the caller adds with skb_put(). The skb holds a
 * reference on @ifp until aoenet_xmit() sends it; the caller must hold one
 * already (a path's, or RCU) when calling. Atomic context is fine.
 */
noinline struct sk_buff *aoenet_skb(struct net_device *ifp, const u8 *dst,
				    unsigned int len)
{
	struct sk_buff *skb;
	struct ethhdr *eh;

	skb = alloc_skb(LL_RESERVED_SPACE(ifp) + ETH_HLEN + len +
			ifp->needed_tailroom, GFP_ATOMIC | __GFP_NOWARN);
	if (!skb)
		return NULL;
	skb_reserve(skb, LL_RESERVED_SPACE(ifp));
	skb_reset_mac_header(skb);
	eh = skb_put(skb, ETH_HLEN);
	ether_addr_copy(eh->h_dest, dst);
	ether_addr_copy(eh->h_source, ifp->dev_addr);
	eh->h_proto = htons(ETH_P_AOE);
	skb_set_network_header(skb, ETH_HLEN);
	skb->protocol = htons(ETH_P_AOE);
	skb->dev = ifp;
	dev_hold(ifp);
	return skb;
}

/*
 * Every failed allocation is a lost frame to the caller (the timer resends
 * it); tests/vm/cases/55-fault-injection makes it fail through fail_function.
 */
ALLOW_ERROR_INJECTION(aoenet_skb, NULL);

/* Free a frame from aoenet_skb() that will not be sent, and its device ref. */
void aoenet_skb_drop(struct sk_buff *skb)
{
	struct net_device *ifp = skb->dev;

	kfree_skb(skb);
	dev_put(ifp);
}

/*
 * A page for write data, with a reference for the caller's skb: one of @d's
 * pool that no skb references any more (its count is down to the pool's
 * reference), searched from where the last search ended (the oldest pages
 * come first), else a new one, kept by the pool while it has room. When all
 * of a full pool is in flight the new page belongs to the skb alone: a
 * missing page would be a lost frame, resent by the timer. A jumbo frame's
 * data in the skb's head would be an order-2 allocation per frame, zeroed
 * page by page where init_on_alloc is on (Debian's default): pooled pages
 * are zeroed once. NULL only when no page could be had.
 */
struct page *aoenet_txpool_get(struct aoe_dev *d)
{
	struct aoe_txpool *p = d->txpool;
	struct page *pg;
	unsigned int i;

	lockdep_assert_held(&d->lock);
	for (i = 0; p && i < p->n; i++) {
		pg = p->pages[p->next];
		p->next = (p->next + 1) % p->n;
		if (page_ref_count(pg) == 1) {
			get_page(pg);
			return pg;
		}
	}
	pg = alloc_page(GFP_ATOMIC | __GFP_NOWARN);
	if (pg && p && p->n < AOE_TXPOOL_PAGES) {
		get_page(pg);
		p->pages[p->n++] = pg;
	}
	return pg;
}

/* An idle device keeps only the pages still in flight. */
void aoenet_txpool_trim(struct aoe_dev *d)
{
	struct aoe_txpool *p = d->txpool;
	unsigned int i, k = 0;

	lockdep_assert_held(&d->lock);
	if (!p)
		return;
	for (i = 0; i < p->n; i++) {
		if (page_ref_count(p->pages[i]) == 1)
			put_page(p->pages[i]);
		else
			p->pages[k++] = p->pages[i];
	}
	p->n = k;
	p->next = 0;
}

/* With the device: skbs still in flight keep their pages until freed. */
void aoenet_txpool_free(struct aoe_txpool *p)
{
	unsigned int i;

	if (!p)
		return;
	for (i = 0; i < p->n; i++)
		put_page(p->pages[i]);
	kfree(p);
}

/*
 * Whether @ifp can take a frame now. A frame for an interface that went down
 * after its path was picked is dropped here, like one the link lost; the
 * retransmit timer deals with both. Injectable, to lose frames on demand.
 */
noinline int aoenet_xmit_check(struct net_device *ifp)
{
	if (!netif_running(ifp) || !netif_carrier_ok(ifp))
		return -ENETDOWN;
	return 0;
}
ALLOW_ERROR_INJECTION(aoenet_xmit_check, ERRNO);

/* Send what the caller collected under its locks; may run in softirq. */
void aoenet_xmit(struct sk_buff_head *q)
{
	struct sk_buff *skb;

	while ((skb = __skb_dequeue(q))) {
		struct net_device *ifp = skb->dev;

		if (aoenet_xmit_check(ifp)) {
			kfree_skb(skb);
			atomic64_inc(&aoe_tx_dropped);
		} else {
			dev_queue_xmit(skb);
		}
		dev_put(ifp);
	}
}

u64 aoenet_tx_dropped(void)
{
	return atomic64_read(&aoe_tx_dropped);
}

static unsigned int aoenet_hlen(u8 cmd)
{
	switch (cmd) {
	case AOE_CMD_ATA:
		return AOE_ATA_HLEN;
	case AOE_CMD_CFG:
		return AOE_CFG_HLEN;
	case AOE_CMD_RESERVE:
		return AOE_RSV_HLEN;
	default:
		return 0;
	}
}

static int aoenet_rcv(struct sk_buff *skb, struct net_device *ifp,
		      struct packet_type *pt, struct net_device *orig_dev)
{
	struct aoe_rsp_info ri;
	unsigned int hlen;

	if (!net_eq(dev_net(ifp), &init_net) || ifp->type != ARPHRD_ETHER ||
	    skb->pkt_type == PACKET_OTHERHOST ||
	    skb->pkt_type == PACKET_OUTGOING || !aoenet_if_allowed(ifp))
		goto drop;
	skb = skb_share_check(skb, GFP_ATOMIC);
	if (!skb)
		return NET_RX_DROP;
	if (!pskb_may_pull(skb, sizeof(struct aoe_hdr)) ||
	    skb_mac_header_len(skb) < ETH_HLEN)
		goto drop;
	if (aoe_rsp_check(skb->data, skb->len, &ri))
		goto drop;
	hlen = aoenet_hlen(ri.cmd);
	if (!hlen || !pskb_may_pull(skb, hlen))
		goto drop;

	if (ri.cmd == AOE_CMD_ATA)
		aoecmd_ata_rsp(skb, ifp, &ri);
	else if (ri.cmd == AOE_CMD_CFG)
		aoedisc_cfg_rsp(skb, ifp, &ri);
	else
		aoersv_rsp(skb, ifp, &ri);
	consume_skb(skb);
	return NET_RX_SUCCESS;
drop:
	kfree_skb(skb);
	return NET_RX_DROP;
}

static struct packet_type aoenet_pt __read_mostly = {
	.type = htons(ETH_P_AOE),
	.func = aoenet_rcv,
};

static int aoenet_notify(struct notifier_block *nb, unsigned long event,
			 void *ptr)
{
	struct net_device *ifp = netdev_notifier_info_to_dev(ptr);

	if (!net_eq(dev_net(ifp), &init_net))
		return NOTIFY_DONE;
	switch (event) {
	case NETDEV_UNREGISTER:
		/* Moving to another namespace unregisters from this one too. */
		aoedev_drop_ifp(ifp);
		break;
	case NETDEV_UP:
	case NETDEV_DOWN:
	case NETDEV_CHANGE:	/* carrier on or off, among others */
		aoedev_ifp_event(ifp);
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block aoenet_nb = {
	.notifier_call = aoenet_notify,
};

int aoenet_init(void)
{
	int err;

	err = register_netdevice_notifier(&aoenet_nb);
	if (err)
		return err;
	dev_add_pack(&aoenet_pt);
	return 0;
}

/* Stop receiving; on return no receive handler runs any more. */
void aoenet_stop_rx(void)
{
	dev_remove_pack(&aoenet_pt);
}

/* After every device (and so every path reference) is gone. */
void aoenet_exit(void)
{
	unregister_netdevice_notifier(&aoenet_nb);
	kfree(rcu_dereference_protected(aoe_ifl, 1));
	RCU_INIT_POINTER(aoe_ifl, NULL);
}
