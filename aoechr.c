// SPDX-License-Identifier: GPL-2.0
/*
 * The character devices under /dev/etherd: err (read messages), discover,
 * interfaces, revalidate and flush (write commands). Major 152, class "aoe".
 *
 * The err device reads from a bounded ring of messages. Producers run in any
 * context but hard interrupt (often under a device lock, so aoe_msg_lock is
 * a leaf lock, taken with bottom halves off); when the ring is full the
 * oldest message is dropped and counted, and the next read reports the count.
 */
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "aoe.h"
#include "aoecompat.h"

enum {
	AOECHR_ERR	= 2,
	AOECHR_DISCOVER	= 3,
	AOECHR_IFACES	= 4,
	AOECHR_REVAL	= 5,
	AOECHR_FLUSH	= 6,
};

static const struct {
	unsigned int minor;
	const char *name;
	umode_t mode;
} aoechr_nodes[] = {
	{ AOECHR_ERR, "err", 0440 },
	{ AOECHR_DISCOVER, "discover", 0220 },
	{ AOECHR_IFACES, "interfaces", 0220 },
	{ AOECHR_REVAL, "revalidate", 0220 },
	{ AOECHR_FLUSH, "flush", 0220 },
};

#define AOE_MSG_MAX	64
#define AOE_MSG_LEN	128
#define AOECHR_WRITE_MAX	1024

static struct {
	char text[AOE_MSG_MAX][AOE_MSG_LEN];
	unsigned int head;	/* oldest message */
	unsigned int count;
	u64 dropped;
} aoe_msgs;
static DEFINE_SPINLOCK(aoe_msg_lock);
static DECLARE_WAIT_QUEUE_HEAD(aoe_msg_wq);

void aoechr_msg(const char *fmt, ...)
{
	char buf[AOE_MSG_LEN];
	unsigned long flags;
	va_list ap;

	va_start(ap, fmt);
	vscnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	spin_lock_irqsave(&aoe_msg_lock, flags);
	if (aoe_msgs.count == AOE_MSG_MAX) {
		aoe_msgs.head = (aoe_msgs.head + 1) % AOE_MSG_MAX;
		aoe_msgs.count--;
		aoe_msgs.dropped++;
	}
	strscpy(aoe_msgs.text[(aoe_msgs.head + aoe_msgs.count) % AOE_MSG_MAX],
		buf, AOE_MSG_LEN);
	aoe_msgs.count++;
	spin_unlock_irqrestore(&aoe_msg_lock, flags);
	wake_up_interruptible(&aoe_msg_wq);
}

static bool msg_ready(void)
{
	return READ_ONCE(aoe_msgs.count) || READ_ONCE(aoe_msgs.dropped);
}

/* Take the next message into @buf; returns its length, 0 if none. */
static size_t msg_pop(char *buf)
{
	size_t len = 0;

	spin_lock_irq(&aoe_msg_lock);
	if (aoe_msgs.dropped) {
		len = scnprintf(buf, AOE_MSG_LEN, "%llu messages dropped\n",
				aoe_msgs.dropped);
		aoe_msgs.dropped = 0;
	} else if (aoe_msgs.count) {
		len = strscpy(buf, aoe_msgs.text[aoe_msgs.head], AOE_MSG_LEN);
		aoe_msgs.head = (aoe_msgs.head + 1) % AOE_MSG_MAX;
		aoe_msgs.count--;
	}
	spin_unlock_irq(&aoe_msg_lock);
	return len;
}

static ssize_t aoechr_read(struct file *file, char __user *ubuf, size_t cnt,
			   loff_t *off)
{
	char buf[AOE_MSG_LEN];
	size_t len;
	int err;

	if (iminor(file_inode(file)) != AOECHR_ERR)
		return -EINVAL;
	for (;;) {
		len = msg_pop(buf);
		if (len)
			break;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		err = wait_event_interruptible(aoe_msg_wq, msg_ready());
		if (err)
			return err;
	}
	len = min(len, cnt);
	if (copy_to_user(ubuf, buf, len))
		return -EFAULT;
	return len;
}

static __poll_t aoechr_poll(struct file *file, poll_table *wait)
{
	if (iminor(file_inode(file)) != AOECHR_ERR)
		return EPOLLERR;
	poll_wait(file, &aoe_msg_wq, wait);
	return msg_ready() ? EPOLLIN | EPOLLRDNORM : 0;
}

static int aoechr_revalidate(const char *buf, size_t len)
{
	struct aoe_dev *d;
	u16 shelf;
	u8 slot;

	if (aoe_name_parse(buf, len, &shelf, &slot))
		return -EINVAL;
	d = aoedev_find_get(shelf, slot);
	if (!d)
		return -ENODEV;
	aoedisc_revalidate(d);
	aoedev_put(d);
	return 0;
}

static ssize_t aoechr_write(struct file *file, const char __user *ubuf,
			    size_t cnt, loff_t *off)
{
	unsigned int minor = iminor(file_inode(file));
	char *buf;
	int err;

	if (minor == AOECHR_DISCOVER) {
		aoedisc_discover();
		return cnt;
	}
	if (cnt > AOECHR_WRITE_MAX)
		return -EINVAL;
	buf = memdup_user_nul(ubuf, cnt);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	switch (minor) {
	case AOECHR_IFACES:
		err = aoenet_set_iflist(buf, cnt);
		break;
	case AOECHR_REVAL:
		err = aoechr_revalidate(buf, cnt);
		break;
	case AOECHR_FLUSH:
		err = aoedev_forget(buf, cnt);
		break;
	default:
		err = -EINVAL;
		break;
	}
	kfree(buf);
	return err ? err : cnt;
}

static int aoechr_open(struct inode *inode, struct file *file)
{
	unsigned int i, minor = iminor(inode);

	for (i = 0; i < ARRAY_SIZE(aoechr_nodes); i++)
		if (aoechr_nodes[i].minor == minor)
			return nonseekable_open(inode, file);
	return -ENODEV;
}

static const struct file_operations aoechr_fops = {
	.owner = THIS_MODULE,
	.open = aoechr_open,
	.read = aoechr_read,
	.write = aoechr_write,
	.poll = aoechr_poll,
};

static char *aoechr_node(const struct device *dev, umode_t *mode)
{
	unsigned int i, minor = MINOR(dev->devt);

	for (i = 0; mode && i < ARRAY_SIZE(aoechr_nodes); i++)
		if (aoechr_nodes[i].minor == minor)
			*mode = aoechr_nodes[i].mode;
	return kasprintf(GFP_KERNEL, "etherd/%s", dev_name(dev));
}

static __maybe_unused char *aoechr_devnode_const(const struct device *dev,
						 umode_t *mode)
{
	return aoechr_node(dev, mode);
}

static __maybe_unused char *aoechr_devnode_plain(struct device *dev,
						 umode_t *mode)
{
	return aoechr_node(dev, mode);
}

static struct class aoechr_class = {
	.name = "aoe",
	.devnode = AOE_CLASS_DEVNODE(aoechr_devnode_const,
				     aoechr_devnode_plain),
};

int aoechr_init(void)
{
	unsigned int i;
	int err;

	err = register_chrdev(AOE_MAJOR, "aoechr", &aoechr_fops);
	if (err < 0)
		return err;
	err = class_register(&aoechr_class);
	if (err)
		goto unregister_chrdev;
	for (i = 0; i < ARRAY_SIZE(aoechr_nodes); i++) {
		struct device *dev;

		dev = device_create(&aoechr_class, NULL,
				    MKDEV(AOE_MAJOR, aoechr_nodes[i].minor),
				    NULL, "%s", aoechr_nodes[i].name);
		if (IS_ERR(dev)) {
			err = PTR_ERR(dev);
			goto destroy_devices;
		}
	}
	return 0;

destroy_devices:
	while (i--)
		device_destroy(&aoechr_class,
			       MKDEV(AOE_MAJOR, aoechr_nodes[i].minor));
	class_unregister(&aoechr_class);
unregister_chrdev:
	unregister_chrdev(AOE_MAJOR, "aoechr");
	return err;
}

void aoechr_exit(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(aoechr_nodes); i++)
		device_destroy(&aoechr_class,
			       MKDEV(AOE_MAJOR, aoechr_nodes[i].minor));
	class_unregister(&aoechr_class);
	unregister_chrdev(AOE_MAJOR, "aoechr");
}
