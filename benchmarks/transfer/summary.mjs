// Turns the rows of the transfer benchmark into results/transfer.json: sequences/s per engine and
// their ratio (median over rounds), the FLOP rate of the pofa step against the machine's peak, the
// loss curves' agreement, and how long the paper's transfers would take at the measured rates.
import { PAPER_TRANSFER } from '@pofa/cli';
import { CONFIGS, SEQ, stepFlops } from './workload.mjs';

/** Peak fp32 FLOP/s of one core of the dev machine: onnxruntime-node's GEMM reaches ≈ 110 GFLOP/s per core, ≈ 95% of it (docs: DESIGN.md). */
export const PEAK_PER_CORE = 115e9;

/** The paper's transfers (`PAPER_TRANSFER` of `pofa transfer`) on SST-2 (67,349 sentences) and SQuAD v1.1 (88,641 windows). */
const paperRun = (examples, { maxLength, transfer, quantize }) => ({ examples, seq: maxLength, batch: transfer.batchSize, transferEpochs: transfer.epochs, qatEpochs: quantize.epochs });
export const PAPER_RUNS = { sst2: paperRun(67349, PAPER_TRANSFER.classification), squad: paperRun(88641, PAPER_TRANSFER.span) };

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/** Mean seconds of the timed steps (after `warmup`) of one process. */
const secondsPerStep = (row, warmup) => {
  const timed = row.stepSeconds.slice(warmup);
  return timed.reduce((sum, value) => sum + value, 0) / timed.length;
};

function tableRows(timing, warmup, shape, cores, measuredPeak) {
  const keys = [...new Set(timing.map((row) => `${row.workload}:${row.config}:${row.batch}`))];
  return keys.map((key) => {
    const [workload, config, batchText] = key.split(':');
    const batch = Number(batchText);
    const rows = timing.filter((row) => row.workload === workload && row.config === config && row.batch === batch);
    const rounds = [...new Set(rows.map((row) => row.round))];
    const rate = (engine, round) => {
      const row = rows.find((candidate) => candidate.engine === engine && candidate.round === round);
      return row === undefined ? null : batch / secondsPerStep(row, warmup);
    };
    const pofa = rounds.map((round) => rate('pofa-native', round));
    const torch = rounds.map((round) => rate('pytorch', round));
    const ratios = rounds.map((_, index) => pofa[index] / torch[index]);
    const flops = stepFlops({ sequences: batch, teacher: CONFIGS[config].teacher, shape });
    const pofaRate = median(pofa);
    const loads = rows.map((row) => row.loadBefore);
    const others = rows.map((row) => row.otherCores);
    return {
      workload, config, label: CONFIGS[config].label, batch, seq: SEQ, rounds: rounds.length, timedSteps: rows[0].steps - warmup,
      pofaSequencesPerSecond: pofaRate, pytorchSequencesPerSecond: median(torch), pofaSecondsPerStep: batch / pofaRate, pytorchSecondsPerStep: batch / median(torch),
      ratiosPerRound: ratios, medianRatio: median(ratios),
      flopsPerStep: flops, pofaGflopsPerSecond: (flops * pofaRate) / batch / 1e9, pofaPeakShare: (flops * pofaRate) / batch / (PEAK_PER_CORE * cores),
      ...(measuredPeak === undefined ? {} : { pofaMeasuredPeakShare: (flops * pofaRate) / batch / (measuredPeak * cores) }),
      pytorchGflopsPerSecond: (flops * median(torch)) / batch / 1e9,
      loadAverage: { min: Math.min(...loads), max: Math.max(...loads) },
      otherProcessesCores: { max: Math.max(...others) },
      threads: { pofa: rows.find((row) => row.engine === 'pofa-native')?.threads, pytorch: rows.find((row) => row.engine === 'pytorch')?.threads },
    };
  });
}

/**
 * Days of the paper's SST-2 and SQuAD transfers (transfer with the teacher, then QAT with the
 * teacher) at the measured batch-32 rates of `workload`; SQuAD's 384-token windows at batch 12
 * are scaled from the sequence-128 FLOP rate by the FLOPs of a step, an estimate.
 */
function estimates(table, shape, workload) {
  const at = (config, engine) => table.find((row) => row.workload === workload && row.config === config && row.batch === 32)?.[`${engine}SequencesPerSecond`] ?? null;
  const out = {};
  for (const engine of ['pofa', 'pytorch']) {
    const stage = (run, config, epochs) => {
      const rate128 = at(config, engine);
      if (rate128 === null) return null;
      const steps = Math.ceil((epochs * run.examples) / run.batch);
      const flopRate = (stepFlops({ sequences: 32, teacher: true, shape }) * rate128) / 32;
      const secondsPerStep = run.seq === SEQ ? run.batch / rate128 : stepFlops({ sequences: run.batch, seq: run.seq, teacher: true, shape }) / flopRate;
      return { steps, secondsPerStep, hours: (steps * secondsPerStep) / 3600 };
    };
    out[engine] = Object.fromEntries(Object.entries(PAPER_RUNS).map(([name, run]) => {
      const transfer = stage(run, 'teacher', run.transferEpochs);
      const qat = stage(run, 'qat', run.qatEpochs);
      return [name, { ...run, transfer, qat, days: transfer === null || qat === null ? null : (transfer.hours + qat.hours) / 24, estimatedFromFlops: run.seq !== SEQ }];
    }));
  }
  return out;
}

function curveSummary(curve) {
  const differences = curve.pofa.losses.map((loss, index) => Math.abs(loss - curve.pytorch.losses[index]));
  return {
    workload: curve.workload, config: curve.config, batch: curve.batch, dropout: curve.dropout, steps: curve.steps,
    maxAbsDifference: Math.max(...differences), meanAbsDifference: differences.reduce((sum, value) => sum + value, 0) / differences.length,
    pofa: curve.pofa.losses, pytorch: curve.pytorch.losses,
    sparsityAfter: { pofa: curve.pofa.sparsityAfter, pytorch: curve.pytorch.sparsityAfter },
    secondsPerStep: { pofa: secondsPerStep(curve.pofa, 1), pytorch: secondsPerStep(curve.pytorch, 1) },
  };
}

/** The whole results object. */
export function summarize({ started, warmup, timing, curves, shape, machine, command }) {
  const table = tableRows(timing, warmup, shape, machine.cores, machine.measuredFmaPeakPerCore);
  return {
    benchmark: 'transfer',
    workloads: { full: 'every one of the 128 positions a token (no padding)', padded: 'SST-2-like sentences of 10–66 wordpieces padded to 128 with an attention mask' },
    model: `BERT ${shape.layers} x ${shape.hidden} sequence classification (2 labels) from a 90%-sparse checkpoint, pattern lock on every encoder Linear weight, sequence ${SEQ}, AdamW + linear warmup/decay + clipping 1, dropout 0.1; teacher: dense, same shape, logits KL · T² (T = 2, hard weight 0); QAT: int8 weights per tensor + uint8 inputs (EMA), lr 1e-5`,
    command, date: started.toISOString(), finished: new Date().toISOString(),
    machine: { ...machine, peakFlopsPerCore: PEAK_PER_CORE },
    note: 'sequences/s are batch / mean seconds of the timed steps of one fresh process (after warm-up); the table gives the median over rounds, engines alternating; loadAverage is the 1-minute load average when each process started (our own previous process included); otherProcessesCores is the CPU (in cores) that other processes used while one of ours ran, from /proc/stat',
    table, curves: curves.map(curveSummary), estimates: { workload: 'full', ...estimates(table, shape, 'full') }, rows: timing,
  };
}
