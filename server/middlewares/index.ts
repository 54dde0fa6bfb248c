import rateLimit from './rate-limit';

export default { rateLimit };
