// SPDX-License-Identifier: GPL-2.0
/*
 * ATA over Ethernet initiator: module parameters, init and exit.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/workqueue.h>

#include "aoe.h"

unsigned int aoe_deadsecs = 180;
module_param(aoe_deadsecs, uint, 0644);
MODULE_PARM_DESC(aoe_deadsecs,
		 "Seconds without an answer before a device is declared down; 0 = never (default 180)");

unsigned int aoe_maxout = 128;
module_param(aoe_maxout, uint, 0644);
MODULE_PARM_DESC(aoe_maxout,
		 "Most frames outstanding per target, also capped by the target's buffer count (default 128)");

unsigned int aoe_maxsectors;
module_param(aoe_maxsectors, uint, 0444);
MODULE_PARM_DESC(aoe_maxsectors,
		 "Most sectors per block request; 0 = driver default of 1024 (default 0)");

/* An int, not a bool: aoe-mkdevs and aoe-mkshelf compare it with "1". */
int aoe_dyndevs = 1;
module_param(aoe_dyndevs, int, 0444);
MODULE_PARM_DESC(aoe_dyndevs,
		 "Allocate minor numbers dynamically; 0 = static minors (shelf*16+slot)*16 for aoe-mkdevs (default 1)");

/*
 * Room for a 1000-disk SAN. A flood of made-up addresses fills it with
 * devices that were never identified: about 4 KiB each (their frames and
 * disk come with identification), evicted after a grace period.
 */
unsigned int aoe_maxdevs = 1024;
module_param(aoe_maxdevs, uint, 0644);
MODULE_PARM_DESC(aoe_maxdevs,
		 "Most shelf.slot devices tracked; bounds what discovery answers can create (default 1024)");

/* Disk creation, new devices and discovery; may reclaim memory. */
struct workqueue_struct *aoe_wq;

static int __init aoe_init(void)
{
	int err;

	aoe_proto_build_checks();
	/*
	 * First: a device can appear as soon as receive starts, and its
	 * counters go in this directory.
	 */
	aoedebug_init();
	aoe_wq = alloc_workqueue("aoe", WQ_MEM_RECLAIM, 0);
	if (!aoe_wq) {
		err = -ENOMEM;
		goto exit_debug;
	}
	err = aoeblk_init();
	if (err)
		goto destroy_wq;
	err = aoechr_init();
	if (err)
		goto exit_blk;
	/*
	 * Last, and nothing after it fails: from here frames arrive and
	 * devices appear, and only module exit takes them down.
	 */
	err = aoenet_init();
	if (err)
		goto exit_chr;
	aoedisc_init();
	pr_info("ATA over Ethernet initiator %s\n", AOE_VERSION);
	return 0;

exit_chr:
	aoechr_exit();
exit_blk:
	aoeblk_exit();
destroy_wq:
	destroy_workqueue(aoe_wq);
exit_debug:
	aoedebug_exit();
	return err;
}

static void __exit aoe_exit(void)
{
	aoenet_stop_rx();
	aoedisc_exit();
	aoechr_exit();
	aoedev_exit();
	aoenet_exit();
	aoeblk_exit();
	destroy_workqueue(aoe_wq);
	aoedebug_exit();
	pr_info("unloaded\n");
}

module_init(aoe_init);
module_exit(aoe_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ATA over Ethernet (AoE) initiator");
MODULE_VERSION(AOE_VERSION);
MODULE_ALIAS_BLOCKDEV_MAJOR(AOE_MAJOR);
MODULE_ALIAS_CHARDEV_MAJOR(AOE_MAJOR);
