export { reviewSentiment } from './review-sentiment';
export { register } from './register';
