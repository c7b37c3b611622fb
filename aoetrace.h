/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints of the aoe module, for trace-cmd and perf:
 *   aoe:aoe_xmit    a frame sent (first time or again)
 *   aoe:aoe_rsp     an answer matched to its frame
 *   aoe:aoe_rexmit  a frame's deadline passed: it is resent under a new tag
 *   aoe:aoe_state   a device went up or down
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM aoe

#if !defined(AOETRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define AOETRACE_H

#include <linux/tracepoint.h>

#include "aoe.h"

TRACE_EVENT(aoe_xmit,
	TP_PROTO(const char *dev, u32 tag, u8 kind, u64 lba, u32 len,
		 bool write, u8 retries),
	TP_ARGS(dev, tag, kind, lba, len, write, retries),
	TP_STRUCT__entry(
		__array(char, dev, AOE_NAME_LEN)
		__field(u32, tag)
		__field(u8, kind)
		__field(u64, lba)
		__field(u32, len)
		__field(bool, write)
		__field(u8, retries)
	),
	TP_fast_assign(
		strscpy(__entry->dev, dev, sizeof(__entry->dev));
		__entry->tag = tag;
		__entry->kind = kind;
		__entry->lba = lba;
		__entry->len = len;
		__entry->write = write;
		__entry->retries = retries;
	),
	TP_printk("%s tag=%08x kind=%u %s lba=%llu len=%u retries=%u",
		  __entry->dev, __entry->tag, __entry->kind,
		  __entry->write ? "W" : "R", __entry->lba, __entry->len,
		  __entry->retries)
);

TRACE_EVENT(aoe_rsp,
	TP_PROTO(const char *dev, u32 tag, u8 aoe_err, u8 ata_status,
		 u32 rtt_us),
	TP_ARGS(dev, tag, aoe_err, ata_status, rtt_us),
	TP_STRUCT__entry(
		__array(char, dev, AOE_NAME_LEN)
		__field(u32, tag)
		__field(u8, aoe_err)
		__field(u8, ata_status)
		__field(u32, rtt_us)
	),
	TP_fast_assign(
		strscpy(__entry->dev, dev, sizeof(__entry->dev));
		__entry->tag = tag;
		__entry->aoe_err = aoe_err;
		__entry->ata_status = ata_status;
		__entry->rtt_us = rtt_us;
	),
	TP_printk("%s tag=%08x aoe_err=%u ata_status=%02x rtt_us=%u",
		  __entry->dev, __entry->tag, __entry->aoe_err,
		  __entry->ata_status, __entry->rtt_us)
);

TRACE_EVENT(aoe_rexmit,
	TP_PROTO(const char *dev, u32 old_tag, u64 lba, u8 retries,
		 u32 cwnd),
	TP_ARGS(dev, old_tag, lba, retries, cwnd),
	TP_STRUCT__entry(
		__array(char, dev, AOE_NAME_LEN)
		__field(u32, old_tag)
		__field(u64, lba)
		__field(u8, retries)
		__field(u32, cwnd)
	),
	TP_fast_assign(
		strscpy(__entry->dev, dev, sizeof(__entry->dev));
		__entry->old_tag = old_tag;
		__entry->lba = lba;
		__entry->retries = retries;
		__entry->cwnd = cwnd;
	),
	TP_printk("%s old_tag=%08x lba=%llu retries=%u cwnd=%u",
		  __entry->dev, __entry->old_tag, __entry->lba,
		  __entry->retries, __entry->cwnd)
);

TRACE_EVENT(aoe_state,
	TP_PROTO(const char *dev, bool up),
	TP_ARGS(dev, up),
	TP_STRUCT__entry(
		__array(char, dev, AOE_NAME_LEN)
		__field(bool, up)
	),
	TP_fast_assign(
		strscpy(__entry->dev, dev, sizeof(__entry->dev));
		__entry->up = up;
	),
	TP_printk("%s %s", __entry->dev, __entry->up ? "up" : "down")
);

#endif /* AOETRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE aoetrace
#include <trace/define_trace.h>
