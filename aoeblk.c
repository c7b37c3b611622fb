// SPDX-License-Identifier: GPL-2.0
/*
 * The block device side: blk-mq queue, gendisk, sysfs attributes, ioctls.
 *
 * Disk creation, capacity changes and removal run in process context under
 * aoe_dev.mtx (from the device's work item, flush or module exit). The I/O
 * path itself is in aoecmd.c.
 */
#include <linux/blk-mq.h>
#include <linux/blkdev.h>
#include <linux/hdreg.h>
#include <linux/idr.h>
#include <linux/uaccess.h>

#include "aoe.h"
#include "aoecompat.h"

#define AOE_DEFAULT_MAX_SECTORS	1024
#define AOE_STATIC_MAX_SLOTS	16
/* blk-mq's request clock; aoeblk_timeout only resets it (see there) */
#define AOE_RQ_CLOCK		(60 * HZ)
#define AOE_STATIC_MAX_SHELF	((MINORMASK + 1) / AOE_PARTITIONS / \
				 AOE_STATIC_MAX_SLOTS - 1)

static DEFINE_IDA(aoe_minor_ida);

static struct aoe_dev *dev_of(struct device *dev)
{
	return dev_to_disk(dev)->private_data;
}

static ssize_t state_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	bool closewait;
	const char *s = aoedev_state_str(dev_of(dev), &closewait);

	return sysfs_emit(buf, "%s%s\n", s, closewait ? ",closewait" : "");
}

static ssize_t mac_show(struct device *dev, struct device_attribute *attr,
			char *buf)
{
	struct aoe_dev *d = dev_of(dev);
	u8 mac[ETH_ALEN];
	bool have;

	spin_lock_bh(&d->lock);
	have = d->ntargets > 0;
	if (have)
		memcpy(mac, d->targets[0].mac, ETH_ALEN);
	spin_unlock_bh(&d->lock);
	if (!have)
		return sysfs_emit(buf, "none\n");
	return sysfs_emit(buf, "%pm\n", mac);
}

static ssize_t netif_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct aoe_dev *d = dev_of(dev);
	char names[AOE_MAX_TARGETS * AOE_MAX_PATHS][IFNAMSIZ];
	unsigned int i, j, k, n = 0;
	ssize_t len = 0;

	spin_lock_bh(&d->lock);
	for (i = 0; i < d->ntargets; i++) {
		struct aoe_target *t = &d->targets[i];

		for (j = 0; j < t->npaths; j++) {
			for (k = 0; k < n; k++)
				if (!strcmp(names[k], t->paths[j].ifp->name))
					break;
			if (k == n)
				strscpy(names[n++], t->paths[j].ifp->name,
					IFNAMSIZ);
		}
	}
	spin_unlock_bh(&d->lock);
	if (!n)
		return sysfs_emit(buf, "none\n");
	for (k = 0; k < n; k++)
		len += sysfs_emit_at(buf, len, "%s%s", k ? "," : "", names[k]);
	len += sysfs_emit_at(buf, len, "\n");
	return len;
}

static ssize_t fwver_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct aoe_dev *d = dev_of(dev);
	u16 fw;

	spin_lock_bh(&d->lock);
	fw = d->ntargets ? d->targets[0].fwver : 0;
	spin_unlock_bh(&d->lock);
	return sysfs_emit(buf, "0x%04x\n", fw);
}

/* Data bytes per frame through the first target's first path. */
static u32 dev_payload(struct aoe_dev *d)
{
	struct aoe_target *t;

	lockdep_assert_held(&d->lock);
	if (!d->ntargets || !d->targets[0].npaths)
		return 0;
	t = &d->targets[0];
	return aoe_frame_sectors(READ_ONCE(t->paths[0].ifp->mtu), t->scnt) *
	       AOE_SECTOR_SIZE;
}

static ssize_t payload_show(struct device *dev,
			    struct device_attribute *attr, char *buf)
{
	struct aoe_dev *d = dev_of(dev);
	u32 n;

	spin_lock_bh(&d->lock);
	n = dev_payload(d);
	spin_unlock_bh(&d->lock);
	return sysfs_emit(buf, "%u\n", n);
}

static ssize_t reservation_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	return aoersv_show(dev_of(dev), buf);
}

static DEVICE_ATTR_RO(state);
static DEVICE_ATTR_RO(reservation);
static DEVICE_ATTR_RO(mac);
static DEVICE_ATTR_RO(netif);
static DEVICE_ATTR_RO(payload);
static struct device_attribute dev_attr_fwver = {
	.attr = { .name = "firmware-version", .mode = 0444 },
	.show = fwver_show,
};

static struct attribute *aoeblk_attrs[] = {
	&dev_attr_state.attr,
	&dev_attr_mac.attr,
	&dev_attr_netif.attr,
	&dev_attr_fwver.attr,
	&dev_attr_payload.attr,
	&dev_attr_reservation.attr,
	NULL,
};

static const struct attribute_group aoeblk_attr_group = {
	.attrs = aoeblk_attrs,
};

static const struct attribute_group *aoeblk_groups[] = {
	&aoeblk_attr_group,
	NULL,
};

static int aoeblk_ioctl(struct block_device *bdev, aoe_bdev_mode_t mode,
			unsigned int cmd, unsigned long arg)
{
	struct aoe_dev *d = bdev->bd_disk->private_data;
	u16 id[AOE_IDENT_SIZE / 2];
	unsigned int i;

	if (cmd != HDIO_GET_IDENTITY)
		return -ENOTTY;
	spin_lock_bh(&d->lock);
	for (i = 0; i < ARRAY_SIZE(id); i++)
		id[i] = d->ident[2 * i] | (d->ident[2 * i + 1] << 8);
	spin_unlock_bh(&d->lock);
	if (copy_to_user((void __user *)arg, id, sizeof(id)))
		return -EFAULT;
	return 0;
}

/* No real geometry exists; give fdisk the conventional 255/63 one. */
static int aoeblk_getgeo(struct block_device *bdev, struct hd_geometry *geo)
{
	u64 cyl = div_u64(get_capacity(bdev->bd_disk), 255 * 63);

	geo->heads = 255;
	geo->sectors = 63;
	geo->cylinders = min_t(u64, cyl, 0xffff);
	geo->start = 0;
	return 0;
}

static void aoeblk_free_disk(struct gendisk *disk)
{
	struct aoe_dev *d = disk->private_data;

	if (d->minor_idx >= 0)
		ida_free(&aoe_minor_ida, d->minor_idx);
	aoedev_put(d);
}

static int aoeblk_open(AOE_BDEV_OPEN_ARGS)
{
	return aoersv_open(AOE_BDEV_OPEN_DISK->private_data,
			   AOE_BDEV_OPEN_WRITE);
}

static void aoeblk_release(AOE_BDEV_RELEASE_ARGS)
{
	aoersv_release(disk->private_data);
}

static const struct block_device_operations aoeblk_fops = {
	.owner = THIS_MODULE,
	.open = aoeblk_open,
	.release = aoeblk_release,
	.ioctl = aoeblk_ioctl,
	.pr_ops = &aoersv_pr_ops,
	.getgeo = aoeblk_getgeo,
	.free_disk = aoeblk_free_disk,
};

static blk_status_t aoeblk_queue_rq(struct blk_mq_hw_ctx *hctx,
				    const struct blk_mq_queue_data *bd)
{
	struct aoe_dev *d = hctx->queue->queuedata;
	struct request *rq = bd->rq;
	struct aoe_cmd *cmd = blk_mq_rq_to_pdu(rq);

	switch (req_op(rq)) {
	case REQ_OP_READ:
	case REQ_OP_WRITE:
	case REQ_OP_FLUSH:
		break;
	default:
		return BLK_STS_NOTSUPP;
	}
	blk_mq_start_request(rq);
	cmd->rq = rq;
	cmd->write = req_op(rq) == REQ_OP_WRITE;
	cmd->flush = req_op(rq) == REQ_OP_FLUSH;
	cmd->bio = rq->bio;
	cmd->iter = rq->bio ? rq->bio->bi_iter : (struct bvec_iter){ 0 };
	cmd->sector = blk_rq_pos(rq);
	/* A flush holds its place in the pending list until it is sent. */
	cmd->left = cmd->flush ? 1 : blk_rq_bytes(rq);
	cmd->nout = 0;
	cmd->status = BLK_STS_OK;
	INIT_LIST_HEAD(&cmd->node);
	return aoecmd_submit(d, cmd);
}

/*
 * The driver keeps its own deadlines (retransmission and aoe_deadsecs), and
 * fails requests itself when a device goes down, so blk-mq's clock only
 * needs to keep running.
 */
static enum blk_eh_timer_return aoeblk_timeout(struct request *rq)
{
	return BLK_EH_RESET_TIMER;
}

static const struct blk_mq_ops aoeblk_mq_ops = {
	.queue_rq = aoeblk_queue_rq,
	.timeout = aoeblk_timeout,
};

static int aoeblk_first_minor(struct aoe_dev *d)
{
	int idx;

	if (!aoe_dyndevs) {
		if (d->slot >= AOE_STATIC_MAX_SLOTS ||
		    d->shelf > AOE_STATIC_MAX_SHELF) {
			pr_err("%s: no static minor for slot %u shelf %u (aoe_dyndevs=0 needs slot < %u and shelf <= %u)\n",
			       d->name, d->slot, d->shelf,
			       AOE_STATIC_MAX_SLOTS, AOE_STATIC_MAX_SHELF);
			return -EINVAL;
		}
		return (d->shelf * AOE_STATIC_MAX_SLOTS + d->slot) *
		       AOE_PARTITIONS;
	}
	idx = ida_alloc_max(&aoe_minor_ida,
			    (MINORMASK + 1) / AOE_PARTITIONS - 1, GFP_KERNEL);
	if (idx < 0)
		return idx;
	d->minor_idx = idx;
	return idx * AOE_PARTITIONS;
}

static void aoeblk_limits(struct aoe_dev *d, struct aoe_qlimits *ql)
{
	ql->max_hw_sectors = aoe_maxsectors ? aoe_maxsectors :
			     AOE_DEFAULT_MAX_SECTORS;
	spin_lock_bh(&d->lock);
	ql->io_opt = dev_payload(d);
	/* Without native FUA the block layer sends write + flush itself. */
	ql->wcache = d->ii.wcache;
	spin_unlock_bh(&d->lock);
	ql->fua = false;
}

/* Create and announce the disk of an identified device. */
int aoeblk_add(struct aoe_dev *d)
{
	struct aoe_qlimits ql;
	struct gendisk *disk;
	u64 sectors;
	int minor, err;

	lockdep_assert_held(&d->mtx);
	spin_lock_bh(&d->lock);
	sectors = d->identified ? d->ii.sectors : 0;
	spin_unlock_bh(&d->lock);
	if (!sectors)
		return 0;
	minor = aoeblk_first_minor(d);
	if (minor < 0)
		return minor;

	memset(&d->tag_set, 0, sizeof(d->tag_set));
	d->tag_set.ops = &aoeblk_mq_ops;
	d->tag_set.nr_hw_queues = 1;
	d->tag_set.queue_depth = AOE_QUEUE_DEPTH;
	d->tag_set.numa_node = NUMA_NO_NODE;
	d->tag_set.cmd_size = sizeof(struct aoe_cmd);
	d->tag_set.flags = BLK_MQ_F_SHOULD_MERGE;
	d->tag_set.timeout = AOE_RQ_CLOCK;
	d->tag_set.driver_data = d;
	err = blk_mq_alloc_tag_set(&d->tag_set);
	if (err)
		goto free_minor;

	aoeblk_limits(d, &ql);
	disk = aoe_alloc_disk(&d->tag_set, &ql, d);
	if (IS_ERR(disk)) {
		err = PTR_ERR(disk);
		goto free_tag_set;
	}
	disk->major = AOE_MAJOR;
	disk->first_minor = minor;
	disk->minors = AOE_PARTITIONS;
	disk->fops = &aoeblk_fops;
	disk->private_data = d;
	snprintf(disk->disk_name, sizeof(disk->disk_name), "etherd/%s",
		 d->name);
	set_capacity(disk, sectors);

	/*
	 * The counters come first: whoever sees the block device may look
	 * for them at once.
	 */
	aoedebug_add(d);
	err = device_add_disk(NULL, disk, aoeblk_groups);
	if (err)
		goto remove_debugfs;
	/* From here the disk's reference is dropped by ->free_disk. */
	kref_get(&d->kref);
	d->disk = disk;
	d->disk_sectors = sectors;
	return 0;

remove_debugfs:
	aoedebug_remove(d);
	put_disk(disk);
free_tag_set:
	blk_mq_free_tag_set(&d->tag_set);
free_minor:
	if (d->minor_idx >= 0) {
		ida_free(&aoe_minor_ida, d->minor_idx);
		d->minor_idx = -1;
	}
	pr_err("%s: cannot add disk: %d\n", d->name, err);
	return err;
}

/* A new IDENTIFY answer: follow the target's size and write cache. */
void aoeblk_update(struct aoe_dev *d)
{
	struct aoe_qlimits ql;
	u64 sectors;

	lockdep_assert_held(&d->mtx);
	spin_lock_bh(&d->lock);
	sectors = d->ii.sectors;
	spin_unlock_bh(&d->lock);
	if (!d->disk)
		return;
	aoeblk_limits(d, &ql);
	aoe_update_limits(d->disk->queue, &ql);
	if (sectors == d->disk_sectors)
		return;
	pr_info("%s: capacity %llu -> %llu sectors\n", d->name,
		d->disk_sectors, sectors);
	set_capacity_and_notify(d->disk, sectors);
	d->disk_sectors = sectors;
}

/* Every request of @d has been failed and no new one is accepted. */
void aoeblk_remove(struct aoe_dev *d)
{
	struct gendisk *disk = d->disk;

	lockdep_assert_held(&d->mtx);
	if (!disk)
		return;
	aoedebug_remove(d);
	del_gendisk(disk);
	blk_mq_free_tag_set(&d->tag_set);
	d->disk = NULL;
	put_disk(disk);
}

int aoeblk_init(void)
{
	return register_blkdev(AOE_MAJOR, "aoe");
}

void aoeblk_exit(void)
{
	unregister_blkdev(AOE_MAJOR, "aoe");
	ida_destroy(&aoe_minor_ida);
}
