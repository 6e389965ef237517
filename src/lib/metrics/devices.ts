import type { Mount } from './procParsers';

// Which mounts, disks and interfaces the host collector reports.

/** Kernel and memory file systems: no disk behind them. */
const PSEUDO_FS = new Set([
  'autofs',
  'binfmt_misc',
  'bpf',
  'cgroup',
  'cgroup2',
  'configfs',
  'debugfs',
  'devpts',
  'devtmpfs',
  'efivarfs',
  'fusectl',
  'hugetlbfs',
  'mqueue',
  'nsfs',
  'proc',
  'pstore',
  'ramfs',
  'rpc_pipefs',
  'securityfs',
  'selinuxfs',
  'squashfs', // snap packages: read-only images, always full
  'sysfs',
  'tmpfs',
  'tracefs',
]);

/** Remote file systems: statfs waits on the network and hangs on a dead server. */
const NETWORK_FS = new Set([
  '9p',
  'afs',
  'ceph',
  'cifs',
  'davfs',
  'glusterfs',
  'lustre',
  'ncpfs',
  'nfs',
  'nfs4',
  'smb3',
  'smbfs',
  'sshfs',
  'virtiofs',
]);

function isRealFileSystem({ fsType, mountPoint }: Mount): boolean {
  if (PSEUDO_FS.has(fsType) || NETWORK_FS.has(fsType)) return false;
  // FUSE file systems are mostly remote (sshfs, rclone, s3fs); fuseblk is a local disk (ntfs-3g).
  if (fsType.startsWith('fuse')) return fsType === 'fuseblk';
  // A container's root is an overlay worth reporting; Docker's many per-container overlays are not.
  if (fsType === 'overlay') return mountPoint === '/';
  return true;
}

/**
 * The mounts whose usage is reported: real local file systems, each device once (bind mounts
 * and btrfs subvolumes share one), under its shortest mount point.
 */
export function reportedMounts(mounts: readonly Mount[]): Mount[] {
  const byDevice = new Map<string, Mount>();
  for (const mount of mounts) {
    if (!isRealFileSystem(mount)) continue;
    const seen = byDevice.get(mount.deviceNumber);
    if (!seen || mount.mountPoint.length < seen.mountPoint.length) byDevice.set(mount.deviceNumber, mount);
  }
  return [...byDevice.values()].sort((a, b) => a.mountPoint.localeCompare(b.mountPoint));
}

/** Loop devices, RAM disks and compressed RAM swap are not disks. */
const NOT_A_DISK = /^(loop|ram|zram)\d+$/;

/** Whole disks from the /sys/block listing (partitions are not listed there), without loop/ram. */
export function reportedDisks(sysBlockEntries: readonly string[]): Set<string> {
  return new Set(sysBlockEntries.filter((name) => !NOT_A_DISK.test(name)));
}

/**
 * Interfaces whose traffic is reported: not loopback (local traffic counted twice), not the
 * veth end of a container (they come and go with containers; the bridge carries their traffic).
 */
export function isReportedInterface(name: string): boolean {
  return name !== 'lo' && !name.startsWith('veth');
}
