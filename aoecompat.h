/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel interfaces that differ between the kernels this module builds
 * for (Debian 12's 6.1 and 6.12). Each difference is detected by testing for
 * the interface itself, not the version number: distribution kernels carry
 * backports, so LINUX_VERSION_CODE would lie.
 */
#ifndef AOECOMPAT_H
#define AOECOMPAT_H

#include <linux/blkdev.h>
#include <linux/blk-mq.h>
#include <linux/device.h>

/*
 * Block open modes: blk_mode_t and BLK_OPEN_* arrived with the gendisk-based
 * open/release (6.5); before that ioctl took an fmode_t.
 */
#ifdef BLK_OPEN_READ
#define aoe_bdev_mode_t blk_mode_t
#else
#define aoe_bdev_mode_t fmode_t
#endif

struct aoe_qlimits {
	unsigned int max_hw_sectors;
	unsigned int io_opt;
	bool wcache;
	bool fua;
};

/*
 * Queue limits: since 6.9 they are passed to blk_mq_alloc_disk() and since
 * 6.11 the write cache is a feature bit in them (BLK_FEAT_WRITE_CACHE); the
 * older kernels set each limit on the queue after allocation.
 */
#ifdef BLK_FEAT_WRITE_CACHE
static inline struct gendisk *aoe_alloc_disk(struct blk_mq_tag_set *set,
					     const struct aoe_qlimits *ql,
					     void *data)
{
	struct queue_limits lim = {
		.logical_block_size = AOE_SECTOR_SIZE,
		.max_hw_sectors = ql->max_hw_sectors,
		.io_opt = ql->io_opt,
	};

	if (ql->wcache)
		lim.features |= BLK_FEAT_WRITE_CACHE;
	if (ql->fua)
		lim.features |= BLK_FEAT_FUA;
	return blk_mq_alloc_disk(set, &lim, data);
}

static inline int aoe_update_limits(struct request_queue *q,
				    const struct aoe_qlimits *ql)
{
	struct queue_limits lim = queue_limits_start_update(q);

	lim.io_opt = ql->io_opt;
	lim.features &= ~(BLK_FEAT_WRITE_CACHE | BLK_FEAT_FUA);
	if (ql->wcache)
		lim.features |= BLK_FEAT_WRITE_CACHE;
	if (ql->fua)
		lim.features |= BLK_FEAT_FUA;
	return queue_limits_commit_update(q, &lim);
}
#else
static inline int aoe_update_limits(struct request_queue *q,
				    const struct aoe_qlimits *ql)
{
	blk_queue_io_opt(q, ql->io_opt);
	blk_queue_write_cache(q, ql->wcache, ql->fua);
	return 0;
}

static inline struct gendisk *aoe_alloc_disk(struct blk_mq_tag_set *set,
					     const struct aoe_qlimits *ql,
					     void *data)
{
	struct gendisk *disk = blk_mq_alloc_disk(set, data);

	if (IS_ERR(disk))
		return disk;
	blk_queue_logical_block_size(disk->queue, AOE_SECTOR_SIZE);
	blk_queue_max_hw_sectors(disk->queue, ql->max_hw_sectors);
	aoe_update_limits(disk->queue, ql);
	return disk;
}
#endif

/*
 * class.devnode took a non-const device before 6.2. Pick the matching one of
 * two wrappers by the type of the member itself.
 */
#define AOE_DEVNODE_MEMBER	(((struct class *)NULL)->devnode)
#define AOE_DEVNODE_CONST_T	char *(*)(const struct device *, umode_t *)
#define AOE_CLASS_DEVNODE(c, p) _Generic(AOE_DEVNODE_MEMBER, AOE_DEVNODE_CONST_T : (c), default : p)

/*
 * Reservation conflicts: 6.5 renamed BLK_STS_NEXUS to BLK_STS_RESV_CONFLICT
 * and, in the same change, gave the pr ioctls their own status values;
 * before, drivers returned the SCSI status, of the same value (0x18).
 */
#ifdef BLK_STS_RESV_CONFLICT
#include <linux/pr.h>
#define AOE_PR_CONFLICT		PR_STS_RESERVATION_CONFLICT
#else
#include <scsi/scsi_proto.h>
#define BLK_STS_RESV_CONFLICT	BLK_STS_NEXUS
#define AOE_PR_CONFLICT		SAM_STAT_RESERVATION_CONFLICT
#endif

/*
 * Open and release: since 6.5 ->open takes the gendisk and a blk_mode_t
 * and ->release only the gendisk; before, ->open took the block device and
 * both took an fmode_t.
 */
#ifdef BLK_OPEN_READ
#define AOE_BDEV_OPEN_ARGS	struct gendisk *disk, blk_mode_t mode
#define AOE_BDEV_OPEN_DISK	disk
#define AOE_BDEV_OPEN_WRITE	(mode & BLK_OPEN_WRITE)
#define AOE_BDEV_RELEASE_ARGS	struct gendisk *disk
#else
#define AOE_BDEV_OPEN_ARGS	struct block_device *bdev, fmode_t mode
#define AOE_BDEV_OPEN_DISK	(bdev->bd_disk)
#define AOE_BDEV_OPEN_WRITE	(mode & FMODE_WRITE)
#define AOE_BDEV_RELEASE_ARGS	struct gendisk *disk, fmode_t mode
#endif

#endif /* AOECOMPAT_H */
