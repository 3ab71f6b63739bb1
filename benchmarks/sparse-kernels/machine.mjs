// What a measurement ran on: the CPU as lscpu names it, the cores, the load, the versions.
import { spawnSync } from 'node:child_process';
import os from 'node:os';

/**
 * `lscpu`'s fields (`Model name`, `CPU family`, `Model`, `Vendor ID`, ...) by name; empty where
 * lscpu is missing (not Linux).
 * @returns {Record<string, string>}
 */
export function lscpuFields() {
  const result = spawnSync('lscpu', [], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
  if (result.status !== 0) return {};
  const fields = {};
  for (const line of result.stdout.split('\n')) {
    const match = /^([^:]+):\s*(.*)$/.exec(line);
    if (match !== null && !(match[1].trim() in fields)) fields[match[1].trim()] = match[2].trim();
  }
  return fields;
}

/**
 * The machine of a run: CPU model name, vendor, family / model / stepping (from lscpu, else
 * os.cpus()), cores, Node and onnxruntime versions, the pofa kernels.
 * @param {{ name: string, isa: string, threads: number }} kernels
 * @param {string} ortVersion
 */
export function describeMachine(kernels, ortVersion) {
  const fields = lscpuFields();
  return {
    cpu: fields['Model name'] ?? os.cpus()[0]?.model ?? 'unknown',
    vendor: fields['Vendor ID'] ?? null,
    family: fields['CPU family'] ?? null,
    model: fields.Model ?? null,
    stepping: fields.Stepping ?? null,
    cores: os.availableParallelism?.() ?? os.cpus().length,
    node: process.versions.node,
    onnxruntime: ortVersion,
    kernels: { name: kernels.name, isa: kernels.isa },
  };
}

/** The 1, 5 and 15-minute load averages, rounded to hundredths. */
export function loadAverage() {
  return os.loadavg().map((value) => Math.round(value * 100) / 100);
}
