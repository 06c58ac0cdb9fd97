// The single machine-learning core: sparse vectors, TF-IDF, softmax/logistic training, seeded randomness.
export { mulberry32, shuffle, seededSplit } from './random';
export { FeatureIndex, counts, sparseDot, type SparseVec } from './sparse';
export { TfidfVectorizer } from './tfidf';
export { Softmax, softmaxInPlace, type TrainOptions } from './softmax';
