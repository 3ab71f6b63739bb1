import { describe, expect, it } from 'vitest';
import { OFA_SCALES } from './ofa-scales';
import { FULL_SCALE, SCALES } from '../pipeline/scales';

// Every size of every scale, written out: the results of a scale (and the tables committed in
// benchmarks/results) depend on each of them, so a refactoring of the scale tables must keep them.
describe('the scales of pofa reproduce', () => {
  it('keeps every Prune OFA size', () => {
    expect(SCALES).toMatchInlineSnapshot(`
      {
        "default": {
          "batchSize": 16,
          "checkpointEvery": 50,
          "corpusTexts": 3000,
          "epochs": {
            "quantize": 0.5,
            "teacherFinetune": 5,
            "transfer": 5,
          },
          "heads": 2,
          "hidden": 64,
          "layers": 2,
          "learningRate": {
            "finetune": 0.002,
            "pretrain": 0.002,
            "quantize": 0.0005,
          },
          "maxLength": 64,
          "models": [
            {
              "heads": 2,
              "hidden": 64,
              "layers": 2,
              "name": "bert-base",
              "paper": "BERT-Base",
            },
          ],
          "steps": {
            "quantize": 200,
            "sparsePretrain": 250,
            "teacherFinetune": 2000,
            "teacherPretrain": 250,
            "transfer": 2000,
          },
          "taskExamples": {
            "test": 565,
            "train": 4000,
            "validation": 300,
          },
          "tasks": [
            "spam",
          ],
          "vocabSize": 2000,
        },
        "mini": {
          "batchSize": 16,
          "checkpointEvery": 20,
          "corpusTexts": 20000,
          "heads": 4,
          "hidden": 256,
          "layers": 4,
          "learningRate": {
            "finetune": 0.001,
            "pretrain": 0.001,
            "quantize": 0.0002,
          },
          "maxLength": 64,
          "models": [
            {
              "heads": 4,
              "hidden": 256,
              "layers": 4,
              "name": "bert-base",
              "paper": "BERT-Base",
            },
            {
              "distilledFrom": "bert-base",
              "heads": 4,
              "hidden": 256,
              "layers": 2,
              "name": "distilbert",
              "paper": "DistilBERT",
            },
          ],
          "steps": {
            "quantize": 40,
            "sparsePretrain": 300,
            "teacherFinetune": 120,
            "teacherPretrain": 400,
            "transfer": 120,
          },
          "taskExamples": {
            "test": 1000,
            "train": 4000,
            "validation": 400,
          },
          "tasks": [
            "spam",
            "sotu-party",
            "sotu-pair",
            "sotu-year",
          ],
          "vocabSize": 3000,
        },
        "smoke": {
          "batchSize": 8,
          "checkpointEvery": 3,
          "corpusTexts": 200,
          "heads": 2,
          "hidden": 16,
          "layers": 2,
          "learningRate": {
            "finetune": 0.002,
            "pretrain": 0.002,
            "quantize": 0.0005,
          },
          "maxLength": 16,
          "models": [
            {
              "heads": 2,
              "hidden": 16,
              "layers": 2,
              "name": "bert-base",
              "paper": "BERT-Base",
            },
            {
              "heads": 2,
              "hidden": 24,
              "layers": 3,
              "name": "bert-large",
              "paper": "BERT-Large",
            },
            {
              "distilledFrom": "bert-base",
              "heads": 2,
              "hidden": 16,
              "layers": 1,
              "name": "distilbert",
              "paper": "DistilBERT",
            },
          ],
          "steps": {
            "quantize": 4,
            "sparsePretrain": 8,
            "teacherFinetune": 6,
            "teacherPretrain": 6,
            "transfer": 6,
          },
          "taskExamples": {
            "test": 64,
            "train": 96,
            "validation": 32,
          },
          "tasks": [
            "sotu-party",
          ],
          "vocabSize": 300,
        },
        "test": {
          "batchSize": 8,
          "checkpointEvery": 3,
          "corpusTexts": 120,
          "heads": 2,
          "hidden": 16,
          "layers": 1,
          "learningRate": {
            "finetune": 0.001,
            "pretrain": 0.002,
            "quantize": 0.0005,
          },
          "maxLength": 24,
          "models": [
            {
              "heads": 2,
              "hidden": 16,
              "layers": 1,
              "name": "bert-base",
              "paper": "BERT-Base",
            },
          ],
          "steps": {
            "quantize": 4,
            "sparsePretrain": 12,
            "teacherFinetune": 6,
            "teacherPretrain": 6,
            "transfer": 6,
          },
          "taskExamples": {
            "test": 32,
            "train": 96,
            "validation": 32,
          },
          "tasks": [
            "spam",
          ],
          "vocabSize": 300,
        },
        "tiny": {
          "batchSize": 16,
          "checkpointEvery": 50,
          "corpusTexts": 1500,
          "heads": 2,
          "hidden": 64,
          "layers": 2,
          "learningRate": {
            "finetune": 0.003,
            "pretrain": 0.003,
            "quantize": 0.0005,
          },
          "maxLength": 32,
          "models": [
            {
              "heads": 2,
              "hidden": 64,
              "layers": 2,
              "name": "bert-base",
              "paper": "BERT-Base",
            },
            {
              "distilledFrom": "bert-base",
              "heads": 2,
              "hidden": 64,
              "layers": 1,
              "name": "distilbert",
              "paper": "DistilBERT",
            },
          ],
          "steps": {
            "quantize": 20,
            "sparsePretrain": 30,
            "teacherFinetune": 100,
            "teacherPretrain": 50,
            "transfer": 120,
          },
          "taskExamples": {
            "test": 400,
            "train": 1200,
            "validation": 100,
          },
          "tasks": [
            "spam",
          ],
          "vocabSize": 800,
        },
      }
    `);
    expect(FULL_SCALE).toMatchInlineSnapshot(`
      {
        "batchSize": 32,
        "checkpointEvery": 1000,
        "corpusTexts": 1000000,
        "epochs": {
          "quantize": 2,
          "teacherFinetune": 3,
          "transfer": 3,
        },
        "learningRate": {
          "finetune": 0.00005,
          "pretrain": 0.0001,
          "quantize": 0.00001,
        },
        "maxLength": 128,
        "steps": {
          "quantize": 0,
          "sparsePretrain": 100000,
          "teacherFinetune": 0,
          "teacherPretrain": 0,
          "transfer": 0,
        },
        "taskExamples": {
          "test": 9007199254740991,
          "train": 9007199254740991,
          "validation": 2000,
        },
        "tasks": [],
        "vocabSize": 30522,
      }
    `);
  });

  it('keeps every OFA size', () => {
    expect(OFA_SCALES).toMatchInlineSnapshot(`
      {
        "mini": {
          "batchSize": 16,
          "calibrationBatches": 16,
          "checkpointEvery": 20,
          "corpusTexts": 20000,
          "heads": 8,
          "hidden": 256,
          "latencyRuns": 20,
          "layers": 4,
          "learningRate": {
            "finetune": 0.001,
            "pretrain": 0.001,
            "supernet": 0.0005,
          },
          "maxLength": 64,
          "steps": {
            "supernet": 200,
            "teacherFinetune": 200,
            "teacherPretrain": 400,
          },
          "task": "spam",
          "taskExamples": {
            "test": 1000,
            "train": 4000,
            "validation": 400,
          },
          "vocabSize": 3000,
        },
        "smoke": {
          "batchSize": 8,
          "calibrationBatches": 2,
          "checkpointEvery": 3,
          "corpusTexts": 200,
          "heads": 4,
          "hidden": 16,
          "latencyRuns": 3,
          "layers": 1,
          "learningRate": {
            "finetune": 0.002,
            "pretrain": 0.002,
            "supernet": 0.001,
          },
          "maxLength": 16,
          "steps": {
            "supernet": 4,
            "teacherFinetune": 6,
            "teacherPretrain": 4,
          },
          "task": "sotu-party",
          "taskExamples": {
            "test": 64,
            "train": 96,
            "validation": 32,
          },
          "vocabSize": 300,
        },
        "tiny": {
          "batchSize": 16,
          "calibrationBatches": 8,
          "checkpointEvery": 50,
          "corpusTexts": 1500,
          "heads": 8,
          "hidden": 64,
          "latencyRuns": 20,
          "layers": 2,
          "learningRate": {
            "finetune": 0.002,
            "pretrain": 0.003,
            "supernet": 0.001,
          },
          "maxLength": 32,
          "steps": {
            "supernet": 40,
            "teacherFinetune": 120,
            "teacherPretrain": 50,
          },
          "task": "spam",
          "taskExamples": {
            "test": 400,
            "train": 1200,
            "validation": 100,
          },
          "vocabSize": 800,
        },
      }
    `);
  });
});
