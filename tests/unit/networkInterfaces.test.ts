import { describe, expect, it } from 'vitest';
import { diskUsedShare, isVirtualInterface, type MetricsWindowDto } from '../../src/lib/contracts/metrics';
import { networkInterfaces, systemCharts } from '../../src/lib/presentation/metricsView';

describe('network interfaces', () => {
  it('are virtual by what /sys said, else by name', () => {
    for (const name of [
      'lo',
      'ifb0',
      'ifb1',
      'veth3a1f',
      'docker0',
      'br-5e1c',
      'virbr0',
      'tun0',
      'tap1',
      'wg0',
    ])
      expect(isVirtualInterface(name), name).toBe(true);
    for (const name of ['eth0', 'enp3s0', 'wlan0', 'eno1', 'bond0'])
      expect(isVirtualInterface(name), name).toBe(false);
    // /sys wins: a bridge named like a NIC, a NIC renamed like a tunnel.
    expect(isVirtualInterface('eth9', true)).toBe(true);
    expect(isVirtualInterface('tun0', false)).toBe(false);
  });

  it('virtual ones are left off the network chart unless shown', () => {
    const metrics: MetricsWindowDto = {
      tier: 'raw',
      stepMs: 5_000,
      from: 0,
      to: 10_000,
      t: [5_000],
      series: ['eth0', 'ifb0', 'br0'].flatMap((entity) =>
        (['net.rx', 'net.tx'] as const).map((metric) => ({ metric, entity, avg: [1], min: null, max: null })),
      ),
    };
    const sample = { network: [{ interface: 'br0', virtual: true }] } as Parameters<
      typeof networkInterfaces
    >[1];
    const interfaces = networkInterfaces(metrics, sample);
    expect(interfaces).toEqual([
      { name: 'br0', virtual: true },
      { name: 'eth0', virtual: false },
      { name: 'ifb0', virtual: true },
    ]);
    const hidden = new Set(interfaces.filter((nic) => nic.virtual).map((nic) => nic.name));
    const lines = (set: Set<string>) =>
      systemCharts(metrics, set)
        .find((chart) => chart.id === 'network')
        ?.lines.map((line) => line.label);
    expect(lines(hidden)).toEqual(['eth0 in', 'eth0 out']);
    expect(lines(new Set())).toHaveLength(6);
  });
});

describe('disk share', () => {
  it('is df’s Use%: used / (used + available), root’s reserve counted in neither', () => {
    // 252 GB disk, 35 GB used, 68 GB available (the rest reserved): df says 34%.
    expect(diskUsedShare(35, 68, 252)).toBeCloseTo(0.34, 2);
    // Series stored before the available figure was kept: used / size.
    expect(diskUsedShare(35, null, 252)).toBeCloseTo(0.139, 3);
    expect(diskUsedShare(0, 0, 0)).toBeNull();
  });
});
