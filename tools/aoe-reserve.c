// SPDX-License-Identifier: GPL-2.0
/*
 * aoe-reserve: take, give back and look at a disk's reservation through the
 * block layer's persistent-reservation ioctls (linux/pr.h), so it works on
 * an AoE disk of this driver and on any other disk whose driver implements
 * them (SCSI, NVMe). Debian 12's util-linux has no blkpr.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/pr.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* What the pr ioctls return for a conflict (PR_STS_RESERVATION_CONFLICT). */
#define PR_CONFLICT	0x18

enum { EXIT_OK, EXIT_ERROR, EXIT_CONFLICT, EXIT_USAGE };

static const char usage[] =
"usage: aoe-reserve [--key KEY] status|reserve|release|force|clear DISK\n"
"\n"
"DISK is eS.L (for /dev/etherd/eS.L) or a block device path.\n"
"\n"
"  status   who holds the disk: \"none\", \"this host\", or the holder's MAC\n"
"           addresses (AoE disks only: /sys/block/.../reservation)\n"
"  reserve  reserve it for this host; fails if another host holds it\n"
"  release  give back this host's reservation; another host's stays\n"
"  force    take it from whoever holds it (a server that died holding it)\n"
"  clear    remove any reservation, whoever holds it\n"
"\n"
"On an AoE disk a reservation puts this host's MAC addresses (one per\n"
"interface it reaches the target through) on the target's reserve list.\n"
"The target then refuses every command except IDENTIFY from other hosts,\n"
"reads included; the list lives in the target (vblade forgets it when it\n"
"restarts). AoE has no keys: KEY (default: from /etc/machine-id) is only\n"
"kept by this host's driver.\n"
"\n"
"Exit status: 0 done, 2 another host holds the disk, 1 other errors,\n"
"3 usage.\n";

/* A key for this host: the first 16 hex digits of /etc/machine-id. */
static uint64_t host_key(void)
{
	char buf[17] = "";
	uint64_t k = 0;
	FILE *f;

	f = fopen("/etc/machine-id", "r");
	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
	}
	k = strtoull(buf, NULL, 16);
	return k ? k : 0x616f652d72737631ull;	/* "aoe-rsv1" */
}

static void disk_path(const char *arg, char *path, size_t n)
{
	unsigned int shelf, slot;
	char end;

	if (sscanf(arg, "e%u.%u%c", &shelf, &slot, &end) == 2)
		snprintf(path, n, "/dev/etherd/e%u.%u", shelf, slot);
	else
		snprintf(path, n, "%s", arg);
}

/* status: the driver's sysfs attribute of the disk behind @fd. */
static int show_status(int fd, const char *path)
{
	char sys[128], line[256];
	struct stat st;
	FILE *f;

	if (fstat(fd, &st) || !S_ISBLK(st.st_mode)) {
		fprintf(stderr, "aoe-reserve: %s: not a block device\n", path);
		return EXIT_ERROR;
	}
	snprintf(sys, sizeof(sys), "/sys/dev/block/%u:%u/reservation",
		 major(st.st_rdev), minor(st.st_rdev));
	f = fopen(sys, "r");
	if (!f) {
		fprintf(stderr, "aoe-reserve: %s: %s (status needs an AoE disk of this driver)\n",
			path, strerror(errno));
		return EXIT_ERROR;
	}
	if (!fgets(line, sizeof(line), f)) {
		fprintf(stderr, "aoe-reserve: %s: %s\n", path,
			strerror(ferror(f) ? errno : EIO));
		fclose(f);
		return EXIT_ERROR;
	}
	fclose(f);
	printf("%s: %s", path, line);
	return EXIT_OK;
}

static int pr_call(int fd, const char *what, const char *path,
		   unsigned long req, void *arg)
{
	int r = ioctl(fd, req, arg);

	if (r == 0)
		return EXIT_OK;
	if (r == PR_CONFLICT) {
		fprintf(stderr, "aoe-reserve: %s %s: reservation conflict: another host holds it\n",
			what, path);
		return EXIT_CONFLICT;
	}
	if (r > 0)
		fprintf(stderr, "aoe-reserve: %s %s: device status 0x%x\n",
			what, path, r);
	else
		fprintf(stderr, "aoe-reserve: %s %s: %s\n", what, path,
			strerror(errno));
	return EXIT_ERROR;
}

static int run(const char *cmd, int fd, const char *path, uint64_t key)
{
	struct pr_registration reg = { .new_key = key,
				       .flags = PR_FL_IGNORE_KEY };
	struct pr_reservation rsv = { .key = key,
				      .type = PR_EXCLUSIVE_ACCESS };
	struct pr_preempt pre = { .new_key = key,
				  .type = PR_EXCLUSIVE_ACCESS };
	struct pr_clear clr = { .key = key };
	int r;

	if (!strcmp(cmd, "status"))
		return show_status(fd, path);
	/* SCSI and NVMe want the key registered first; AoE keeps it. */
	r = pr_call(fd, "register", path, IOC_PR_REGISTER, &reg);
	if (r)
		return r;
	if (!strcmp(cmd, "reserve"))
		return pr_call(fd, cmd, path, IOC_PR_RESERVE, &rsv);
	if (!strcmp(cmd, "release"))
		return pr_call(fd, cmd, path, IOC_PR_RELEASE, &rsv);
	if (!strcmp(cmd, "force"))
		return pr_call(fd, cmd, path, IOC_PR_PREEMPT, &pre);
	return pr_call(fd, cmd, path, IOC_PR_CLEAR, &clr);
}

int main(int argc, char **argv)
{
	static const char *const cmds[] = { "status", "reserve", "release",
					    "force", "clear" };
	uint64_t key = 0;
	char path[256];
	unsigned int i;
	int fd, r;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(usage, stdout);
		return EXIT_OK;
	}
	if (argc > 3 && !strcmp(argv[1], "--key")) {
		key = strtoull(argv[2], NULL, 0);
		argv += 2;
		argc -= 2;
	}
	if (argc != 3)
		goto bad;
	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		if (!strcmp(argv[1], cmds[i]))
			break;
	if (i == ARRAY_SIZE(cmds))
		goto bad;
	if (!key)
		key = host_key();
	disk_path(argv[2], path, sizeof(path));
	/* Read-only: a write open could itself reserve (aoe_reserve_open). */
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "aoe-reserve: %s: %s\n", path, strerror(errno));
		return EXIT_ERROR;
	}
	r = run(argv[1], fd, path, key);
	close(fd);
	return r;
bad:
	fputs(usage, stderr);
	return EXIT_USAGE;
}
