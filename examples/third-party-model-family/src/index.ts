export { BagOfEmbeddings, type BagOfEmbeddingsInputs } from './bag-of-embeddings';
export { BAG_OF_EMBEDDINGS_MODEL_TYPE, bagOfEmbeddingsConfigSchema, type BagOfEmbeddingsConfig } from './bag-of-embeddings-config';
export { bagOfEmbeddingsFamily } from './bag-of-embeddings-family';
export { saveBagOfEmbeddings } from './save-bag-of-embeddings';
export { register } from './register';
