//! CPU time a set of processes (the server under test) has used, from /proc: the sum over their
//! threads of `schedstat`'s first field, nanoseconds on a CPU. Unlike latency percentiles on a
//! shared machine, this moves little from run to run, so it is what says which side does more
//! work per delivered message.

/// Nanoseconds of CPU used so far by every thread of every process in `pids`.
pub fn used_ns(pids: &[u32]) -> anyhow::Result<u64> {
    let mut total = 0;
    for pid in pids {
        for task in std::fs::read_dir(format!("/proc/{pid}/task"))? {
            let path = task?.path().join("schedstat");
            // A thread that ended between the listing and the read used nothing more.
            let Ok(stat) = std::fs::read_to_string(&path) else {
                continue;
            };
            total += first_field(&stat)
                .ok_or_else(|| anyhow::anyhow!("{} does not parse", path.display()))?;
        }
    }
    Ok(total)
}

fn first_field(schedstat: &str) -> Option<u64> {
    schedstat.split_whitespace().next()?.parse().ok()
}

/// `--pids 12,34`: the processes whose CPU the fan-out reports.
pub fn parse_pids(list: &str) -> anyhow::Result<Vec<u32>> {
    list.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            p.trim()
                .parse()
                .map_err(|_| anyhow::anyhow!("--pids takes process ids, not {p:?}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_schedstat_field_is_the_time_on_cpu() {
        assert_eq!(first_field("123456 789 10\n"), Some(123456));
        assert_eq!(first_field(""), None);
    }

    #[test]
    fn this_process_has_used_some_cpu() {
        let spin: u64 = (0..2_000_000u64).map(|i| i ^ (i >> 3)).sum();
        assert!(spin > 0);
        assert!(used_ns(&[std::process::id()]).unwrap() > 0);
    }

    #[test]
    fn pids_are_a_comma_separated_list() {
        assert_eq!(parse_pids("1, 22,").unwrap(), vec![1, 22]);
        assert!(parse_pids("x").is_err());
    }
}
