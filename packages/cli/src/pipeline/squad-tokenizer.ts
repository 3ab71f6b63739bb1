// prepareSquadTokenizer moved to @pofa/runtime (the question-answering pipeline uses it too).
export { prepareSquadTokenizer, type PreparedSquadTokenizer } from '@pofa/runtime';
