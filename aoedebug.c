// SPDX-License-Identifier: GPL-2.0
/*
 * Counters for the operator, in debugfs (/sys/kernel/debug/aoe/):
 *
 *   eS.L     one file per disk: "name value" lines, device-wide counters
 *            first, then one "target N" block per target MAC:
 *              state up|down|new           frames_sent N
 *              outstanding N               retransmits N
 *              responses N                 late N
 *              spurious N                  duplicates N
 *              unexpected N                malformed N
 *              ata_errors N
 *              aoe_error_1 .. aoe_error_6, aoe_error_other N
 *              splits N    redirects N     flushes N
 *              no_skb N (sends without memory for the frame: resent later)
 *              held N (answered writes held until an earlier copy of
 *                      theirs was answered or timed out)
 *              target N mac M
 *                bufcnt N  scnt N  fwver 0xNNNN  paths if0,if1
 *                cwnd N  ssthresh N  outstanding N  fails N
 *                refused N  ghosts N  max_outstanding N
 *                srtt_us N  rttvar_us N  rto_us N
 *   global   orphan_responses N (answers for no known device)
 *            newdev_dropped N (config answers from new addresses dropped
 *                      at the bound of the new-device queue, aoe_maxdevs)
 *            tx_dropped N (frames dropped because their interface could
 *                      not send: down or no carrier; resent later)
 *
 * The files are created with the disk and removed before it goes.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "aoe.h"

static struct dentry *aoe_dbg_root;

static const char *const state_names[] = {
	[AOE_DS_NEW] = "new",
	[AOE_DS_UP] = "up",
	[AOE_DS_DOWN] = "down",
};

/* A target as copied under the device lock, with its interfaces' names. */
struct target_snap {
	struct aoe_target t;
	char ifname[AOE_MAX_PATHS][IFNAMSIZ];
};

static void show_target(struct seq_file *m, unsigned int i,
			const struct target_snap *ts)
{
	const struct aoe_target *t = &ts->t;
	unsigned int j;

	seq_printf(m, "target %u mac %pm\n", i, t->mac);
	seq_printf(m, "  bufcnt %u\n  scnt %u\n  fwver 0x%04x\n  paths ",
		   t->bufcnt, t->scnt, t->fwver);
	for (j = 0; j < t->npaths; j++)
		seq_printf(m, "%s%s", j ? "," : "", ts->ifname[j]);
	seq_printf(m, "%s\n", t->npaths ? "" : "none");
	seq_printf(m, "  cwnd %u\n  ssthresh %u\n  outstanding %u\n  fails %u\n",
		   t->win.cwnd, t->win.ssthresh, t->nout, t->fails);
	seq_printf(m, "  refused %u\n  ghosts %u\n  max_outstanding %u\n",
		   t->refused, t->ghosts, t->max_nout);
	seq_printf(m, "  reorders %u\n", t->reorders);
	seq_printf(m, "  srtt_us %u\n  rttvar_us %u\n  rto_us %u\n",
		   t->rtt.srtt, t->rtt.rttvar, aoe_rtt_rto(&t->rtt));
}

static void show_stats(struct seq_file *m, const struct aoe_stats *st)
{
	unsigned int i;

	seq_printf(m, "frames_sent %llu\nretransmits %llu\nresponses %llu\n",
		   st->frames_sent, st->retransmits, st->responses);
	seq_printf(m, "late %llu\nspurious %llu\nduplicates %llu\n",
		   st->late, st->spurious, st->duplicates);
	seq_printf(m, "unexpected %llu\n", st->unexpected);
	seq_printf(m, "malformed %llu\nata_errors %llu\n", st->malformed,
		   st->ata_errors);
	for (i = 1; i < AOE_ERR_MAX; i++)
		seq_printf(m, "aoe_error_%u %llu\n", i, st->aoe_errors[i]);
	seq_printf(m, "aoe_error_other %llu\n", st->aoe_errors[AOE_ERR_MAX]);
	seq_printf(m, "splits %llu\nredirects %llu\nflushes %llu\n",
		   st->splits, st->redirects, st->flushes);
	seq_printf(m, "no_skb %llu\n", st->no_skb);
	seq_printf(m, "held %llu\n", st->held);
}

/* Copy under the lock, print without it: seq_file may allocate. */
static int devstats_show(struct seq_file *m, void *v)
{
	struct aoe_dev *d = m->private;
	struct target_snap *ts;
	struct aoe_stats st;
	unsigned int i, j, n;
	u32 nout;
	int state;

	ts = kcalloc(AOE_MAX_TARGETS, sizeof(*ts), GFP_KERNEL);
	if (!ts)
		return -ENOMEM;
	spin_lock_bh(&d->lock);
	st = d->st;
	nout = d->nout;
	state = d->state;
	n = d->ntargets;
	for (i = 0; i < n; i++) {
		ts[i].t = d->targets[i];
		for (j = 0; j < ts[i].t.npaths; j++)
			strscpy(ts[i].ifname[j], ts[i].t.paths[j].ifp->name,
				IFNAMSIZ);
	}
	spin_unlock_bh(&d->lock);

	seq_printf(m, "state %s\noutstanding %u\n", state_names[state], nout);
	show_stats(m, &st);
	for (i = 0; i < n; i++)
		show_target(m, i, &ts[i]);
	kfree(ts);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(devstats);

static int global_show(struct seq_file *m, void *v)
{
	seq_printf(m, "orphan_responses %llu\nnewdev_dropped %llu\n",
		   aoecmd_orphans(), aoedisc_newq_dropped());
	seq_printf(m, "tx_dropped %llu\n", aoenet_tx_dropped());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(global);

void aoedebug_add(struct aoe_dev *d)
{
	d->dbg = debugfs_create_file(d->name, 0444, aoe_dbg_root, d,
				     &devstats_fops);
}

void aoedebug_remove(struct aoe_dev *d)
{
	debugfs_remove(d->dbg);
	d->dbg = NULL;
}

void aoedebug_init(void)
{
	aoe_dbg_root = debugfs_create_dir("aoe", NULL);
	debugfs_create_file("global", 0444, aoe_dbg_root, NULL, &global_fops);
}

void aoedebug_exit(void)
{
	debugfs_remove(aoe_dbg_root);
}
