//! The layers the launcher applies to itself before it execs the command:
//! resource limits, capabilities, Landlock and seccomp (Linux).
//!
//! In: a [`Policy`]. Out: the [`Layers`] enforced, or an [`Error`]. What
//! must not happen here: failing open silently (a layer the kernel lacks is
//! reported in [`Layers`]), or anything but confining the calling process.

use std::collections::BTreeMap;

use super::{Budget, Error, Layers, Policy};

/// Applies every layer of `policy` to this process.
pub(super) fn confine(policy: &Policy) -> Result<Layers, Error> {
    let process_limit = limit(&policy.budget)?;
    let capabilities = drop_capabilities()?;
    let mut layers = landlock(policy)?;
    layers.limits = true;
    layers.process_limit = process_limit;
    layers.capabilities = capabilities;
    layers.seccomp = seccomp(policy)?;
    Ok(layers)
}

/// Sets the resource limits; returns whether the process limit is one the
/// kernel enforces.
fn limit(budget: &Budget) -> Result<bool, Error> {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let set = |what: &'static str, resource: Resource, soft: u64, hard: u64| {
        // Never above the current hard limit: only root may raise it.
        let current = getrlimit(resource).maximum;
        let cap = |v: u64| current.map_or(v, |m| v.min(m));
        setrlimit(
            resource,
            Rlimit {
                current: Some(cap(soft)),
                maximum: Some(cap(hard)),
            },
        )
        .map_err(|e| Error::Limit {
            what,
            source: e.into(),
        })
    };
    let mib = |v: u64| v.saturating_mul(1024 * 1024);
    set("core dump", Resource::Core, 0, 0)?;
    set(
        "CPU time",
        Resource::Cpu,
        budget.cpu_secs,
        budget.cpu_secs.saturating_add(1),
    )?;
    set(
        "address space",
        Resource::As,
        mib(budget.memory_mb),
        mib(budget.memory_mb),
    )?;
    set(
        "file size",
        Resource::Fsize,
        mib(budget.file_size_mb),
        mib(budget.file_size_mb),
    )?;
    set(
        "open files",
        Resource::Nofile,
        budget.open_files,
        budget.open_files,
    )?;
    let uid = rustix::process::getuid();
    if uid.is_root() {
        // The kernel never applies RLIMIT_NPROC to root; seccomp forbids
        // new processes in runs instead.
        return Ok(false);
    }
    // RLIMIT_NPROC counts every task of the user, not of this tree.
    let processes = tasks_of(uid.as_raw()).saturating_add(budget.processes);
    set("processes", Resource::Nproc, processes, processes)?;
    Ok(true)
}

/// Number of tasks (threads included) of the user `uid`, from `/proc`.
fn tasks_of(uid: u32) -> u64 {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0;
    };
    let mut count = 0u64;
    for entry in entries.flatten() {
        let Ok(status) = std::fs::read_to_string(entry.path().join("status")) else {
            continue;
        };
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|v| v.parse::<u64>().ok())
        };
        if field("Uid:") == Some(u64::from(uid)) {
            count += field("Threads:").unwrap_or(1);
        }
    }
    count
}

/// Drops every capability (root's included): from the bounding set, the
/// ambient set, and the process's own sets. Returns `true` when no
/// capability is left.
fn drop_capabilities() -> Result<bool, Error> {
    use rustix::thread::{CapabilitySet, CapabilitySets, capabilities, set_capabilities};
    let held = capabilities(None).map_err(|e| Error::Capabilities(e.into()))?;
    if held.permitted.is_empty() && held.effective.is_empty() {
        return Ok(true);
    }
    // The bounding set needs CAP_SETPCAP, so it goes first; a kernel that
    // knows fewer capabilities than rustix refuses the unknown ones.
    for capability in CapabilitySet::all().iter() {
        let _ = rustix::thread::remove_capability_from_bounding_set(capability);
    }
    let _ = rustix::thread::clear_ambient_capability_set();
    set_capabilities(
        None,
        CapabilitySets {
            effective: CapabilitySet::empty(),
            permitted: CapabilitySet::empty(),
            inheritable: CapabilitySet::empty(),
        },
    )
    .map_err(|e| Error::Capabilities(e.into()))?;
    Ok(true)
}

/// Applies the Landlock ruleset (best effort: what the kernel supports).
fn landlock(policy: &Policy) -> Result<Layers, Error> {
    use landlock::{
        ABI, Access, AccessFs, AccessNet, CompatLevel, Compatible, LandlockStatus, PathBeneath,
        PathFd, Ruleset, RulesetAttr, RulesetCreatedAttr, RulesetStatus, Scope,
    };
    let abi = ABI::V6;
    let read = AccessFs::ReadFile | AccessFs::ReadDir;
    let exec = AccessFs::from_read(abi);
    // No symbolic links: one left in `.wow/` could lead a later write by
    // `wow` itself out of the prototype.
    let write = AccessFs::from_all(abi) & !AccessFs::MakeSym;
    let mut ruleset = Ruleset::default()
        .set_compatibility(CompatLevel::BestEffort)
        .handle_access(AccessFs::from_all(abi))
        .map_err(Error::Landlock)?
        .scope(Scope::from_all(abi))
        .map_err(Error::Landlock)?;
    if !policy.network {
        ruleset = ruleset
            .handle_access(AccessNet::from_all(abi))
            .map_err(Error::Landlock)?;
    }
    let mut created = ruleset.create().map_err(Error::Landlock)?;
    let groups = [
        (&policy.read, read),
        (&policy.exec, exec),
        (&policy.write, write),
    ];
    for (paths, access) in groups {
        for path in paths {
            let Ok(fd) = PathFd::new(path) else {
                // Missing paths are simply not reachable.
                continue;
            };
            let access = if path.is_dir() {
                access
            } else {
                access & AccessFs::from_file(abi)
            };
            created = created
                .add_rule(PathBeneath::new(fd, access))
                .map_err(Error::Landlock)?;
        }
    }
    let status = created
        .no_new_privs(true)
        .restrict_self()
        .map_err(Error::Landlock)?;
    let landlock_abi = match status.landlock {
        LandlockStatus::Available {
            effective_abi,
            kernel_abi,
        } => kernel_abi.unwrap_or(effective_abi as i32),
        _ => 0,
    };
    let enforced = landlock_abi > 0 && status.ruleset != RulesetStatus::NotEnforced;
    Ok(Layers {
        limits: false,
        process_limit: false,
        capabilities: false,
        no_new_privs: status.no_new_privs,
        landlock_abi,
        landlock_fs: enforced && landlock_abi >= 1,
        landlock_net: enforced && landlock_abi >= 4 && !policy.network,
        landlock_scope: enforced && landlock_abi >= 6,
        seccomp: false,
    })
}

/// The system calls that no build or run needs and that could reach past
/// the other layers, on every architecture.
const ALWAYS_DENIED: &[i64] = &[
    libc::SYS_ptrace,
    libc::SYS_process_vm_readv,
    libc::SYS_process_vm_writev,
    libc::SYS_bpf,
    libc::SYS_perf_event_open,
    libc::SYS_keyctl,
    libc::SYS_add_key,
    libc::SYS_request_key,
    libc::SYS_mount,
    libc::SYS_umount2,
    libc::SYS_pivot_root,
    libc::SYS_chroot,
    libc::SYS_swapon,
    libc::SYS_swapoff,
    libc::SYS_reboot,
    libc::SYS_kexec_load,
    libc::SYS_kexec_file_load,
    libc::SYS_init_module,
    libc::SYS_finit_module,
    libc::SYS_delete_module,
    libc::SYS_setns,
    libc::SYS_unshare,
    libc::SYS_userfaultfd,
    libc::SYS_setrlimit,
    libc::SYS_acct,
    libc::SYS_settimeofday,
    libc::SYS_clock_settime,
    libc::SYS_adjtimex,
    libc::SYS_clock_adjtime,
    libc::SYS_quotactl,
    libc::SYS_syslog,
    libc::SYS_name_to_handle_at,
    libc::SYS_open_by_handle_at,
    libc::SYS_fanotify_init,
    libc::SYS_vhangup,
    libc::SYS_open_tree,
    libc::SYS_move_mount,
    libc::SYS_fsopen,
    libc::SYS_fsconfig,
    libc::SYS_fsmount,
    libc::SYS_fspick,
    libc::SYS_mount_setattr,
];

/// Port I/O, which only x86 has.
#[cfg(target_arch = "x86_64")]
const ARCH_DENIED: &[i64] = &[libc::SYS_iopl, libc::SYS_ioperm];
#[cfg(not(target_arch = "x86_64"))]
const ARCH_DENIED: &[i64] = &[];

/// System calls answered "not implemented", so that runtimes fall back to
/// what is allowed (`clone3` to `clone`, `io_uring` to `epoll`).
const FALLBACK: &[i64] = &[
    libc::SYS_io_uring_setup,
    libc::SYS_io_uring_enter,
    libc::SYS_io_uring_register,
];

#[cfg(target_arch = "x86_64")]
const ARCH: seccompiler::TargetArch = seccompiler::TargetArch::x86_64;
#[cfg(target_arch = "aarch64")]
const ARCH: seccompiler::TargetArch = seccompiler::TargetArch::aarch64;

/// Installs the seccomp filters of `policy`. Returns `true` once applied.
fn seccomp(policy: &Policy) -> Result<bool, Error> {
    use seccompiler::{
        BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter,
        SeccompRule,
    };
    let build = |e: seccompiler::BackendError| Error::SeccompBuild(e.to_string());
    let condition = |arg: u8, op: SeccompCmpOp, value: u64| {
        SeccompCondition::new(arg, SeccompCmpArgLen::Qword, op, value).map_err(build)
    };
    // An `int` argument: the kernel ignores the upper half, so the filter
    // must too (or setting it would slip past).
    let dword = |arg: u8, op: SeccompCmpOp, value: u64| {
        SeccompCondition::new(arg, SeccompCmpArgLen::Dword, op, value).map_err(build)
    };
    let mut denied: BTreeMap<i64, Vec<SeccompRule>> = ALWAYS_DENIED
        .iter()
        .chain(ARCH_DENIED)
        .map(|&nr| (nr, Vec::new()))
        .collect();
    // Reading a limit passes a null new value; only setting one is denied.
    denied.insert(
        libc::SYS_prlimit64,
        vec![SeccompRule::new(vec![condition(2, SeccompCmpOp::Ne, 0)?]).map_err(build)?],
    );
    let mut fallback: BTreeMap<i64, Vec<SeccompRule>> =
        FALLBACK.iter().map(|&nr| (nr, Vec::new())).collect();
    if !policy.network {
        denied.insert(libc::SYS_socket, Vec::new());
        // An inherited socket (the app's listener) must not become a
        // client: `connect` (also the `AF_UNSPEC` that unbinds it) and
        // TCP Fast Open, which connects from `sendto`/`sendmsg` and which
        // Landlock does not see.
        denied.insert(libc::SYS_connect, Vec::new());
        let fast_open = u64::try_from(libc::MSG_FASTOPEN).expect("MSG_FASTOPEN is positive");
        for (nr, flags) in [
            (libc::SYS_sendto, 3),
            (libc::SYS_sendmsg, 2),
            (libc::SYS_sendmmsg, 3),
        ] {
            denied.insert(
                nr,
                vec![
                    SeccompRule::new(vec![dword(
                        flags,
                        SeccompCmpOp::MaskedEq(fast_open),
                        fast_open,
                    )?])
                    .map_err(build)?,
                ],
            );
        }
    }
    if policy.die_with_parent {
        // Clearing the parent-death signal would let the app outlive wow.
        let pdeathsig = u64::try_from(libc::PR_SET_PDEATHSIG).expect("a positive option");
        denied.insert(
            libc::SYS_prctl,
            vec![SeccompRule::new(vec![dword(0, SeccompCmpOp::Eq, pdeathsig)?]).map_err(build)?],
        );
    }
    if !policy.processes {
        // A thread shares the address space and sets CLONE_THREAD; a
        // process does not. `clone3` hides its flags in memory, so it is
        // answered ENOSYS and the C library falls back to `clone`.
        let clone_thread = u64::try_from(libc::CLONE_THREAD).expect("CLONE_THREAD is positive");
        denied.insert(
            libc::SYS_clone,
            vec![
                SeccompRule::new(vec![condition(0, SeccompCmpOp::MaskedEq(clone_thread), 0)?])
                    .map_err(build)?,
            ],
        );
        #[cfg(target_arch = "x86_64")]
        {
            denied.insert(libc::SYS_fork, Vec::new());
            denied.insert(libc::SYS_vfork, Vec::new());
        }
        fallback.insert(libc::SYS_clone3, Vec::new());
        // No other program either: safe code can write any executable to
        // its scratch folder (or hand one to the dynamic loader) and
        // `exec` it, and native code reaches every call this filter
        // allows. The launcher itself execs through `execveat`, which the
        // standard library never calls. Nor a process group or session of
        // its own, out of reach of the kill of its group.
        denied.insert(libc::SYS_execve, Vec::new());
        denied.insert(libc::SYS_setsid, Vec::new());
        denied.insert(libc::SYS_setpgid, Vec::new());
    }
    #[cfg(target_arch = "x86_64")]
    {
        // The x32 ABI reaches the same calls with this bit set.
        const X32: i64 = 0x4000_0000;
        for map in [&mut denied, &mut fallback] {
            let x32: Vec<(i64, Vec<SeccompRule>)> =
                map.iter().map(|(nr, r)| (nr | X32, r.clone())).collect();
            map.extend(x32);
        }
    }
    let eperm = u32::try_from(libc::EPERM).expect("errno is positive");
    let enosys = u32::try_from(libc::ENOSYS).expect("errno is positive");
    for (rules, errno) in [(denied, eperm), (fallback, enosys)] {
        let filter = SeccompFilter::new(
            rules,
            SeccompAction::Allow,
            SeccompAction::Errno(errno),
            ARCH,
        )
        .map_err(build)?;
        let program: BpfProgram = filter.try_into().map_err(build)?;
        seccompiler::apply_filter(&program).map_err(Error::Seccomp)?;
    }
    Ok(true)
}
