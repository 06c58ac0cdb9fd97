// Curated zh/en sentiment lexicons (hand-written, not mined from dev data). Chinese entries are
// Simplified; text is folded to Simplified before matching.
export const ZH_POS = ['好吃', '不错', '满意', '喜欢', '很好', '非常好', '挺好', '好评', '推荐', '快', '及时', '准时', '热情', '耐心', '周到', '贴心', '干净', '新鲜', '实惠', '便宜', '划算', '值得', '赞', '棒', '给力', '惊喜', '舒服', '方便', '专业', '靠谱', '感谢', '谢谢', '辛苦了', '好评', '完美', '优秀', '还行', '还可以', '还好', '香', '好喝', '超值', '放心', '礼貌', '满分', '五星'];
export const ZH_NEG = ['难吃', '差', '慢', '失望', '不满', '垃圾', '恶心', '坑', '贵', '凉了', '冷了', '超时', '太久', '态度差', '不耐烦', '脏', '难喝', '不新鲜', '变质', '投诉', '差评', '后悔', '再也不', '不会再', '骗', '糟糕', '烂', '无语', '太差', '太慢', '生气', '敷衍', '没人理', '打不通', '退款', '少送', '送错', '漏送', '洒了', '咸', '油腻', '坑人', '浪费', '晚了', '等了', '太少', '不值', '一般般', '很一般', '拉肚子', '头发', '虫'];
export const EN_POS = ['good', 'great', 'excellent', 'amazing', 'awesome', 'love', 'loved', 'thank', 'thanks', 'best', 'nice', 'happy', 'helpful', 'friendly', 'fast', 'quick', 'perfect', 'wonderful', 'fantastic', 'appreciate', 'pleasant', 'satisfied', 'recommend', 'kudos', 'glad', 'smooth', 'polite', 'impressed'];
export const EN_NEG = ['bad', 'worst', 'terrible', 'awful', 'horrible', 'hate', 'rude', 'slow', 'late', 'delay', 'delayed', 'cancelled', 'canceled', 'lost', 'poor', 'disappointed', 'disappointing', 'angry', 'unacceptable', 'ridiculous', 'useless', 'never', 'fail', 'failed', 'broken', 'waste', 'wait', 'waiting', 'hold', 'stuck', 'frustrated', 'frustrating', 'annoyed', 'sucks', 'complaint', 'refund', 'missed', 'damaged', 'dirty', 'problem', 'issue'];
export const EN_NEGATORS = new Set(['not', 'no', 'never', "n't", 'dont', "don't", 'didnt', "didn't", 'isnt', "isn't", 'wasnt', "wasn't", 'cant', "can't", 'cannot', 'wont', "won't", 'nothing', 'neither', 'nor', 'without', 'aint', 'doesnt', "doesn't", 'havent', "haven't"]);
export const ZH_NEGATORS = new Set(['不', '没', '没有', '别', '无', '未', '不是', '不太', '不够', '不怎么', '毫无', '并不', '从不', '从没']);

/** Answers that say "nothing to add": always neutral, never positive. */
const NO_COMMENT = [
  /^(no|none|nothing|n\/?a|nil|-+|\.+|no comments?|nothing to (add|say)|no (other )?suggestions?|not really|nope)$/,
  /^(没有|没|无|无意见|没意见|沒意見|没有意见|没什么|没啥|暂无|暂时没有|没有了|无建议|没有建议|没建议|没什么建议|都没有|不用了|没了|无其他|没有其他)$/,
];

export function isNoComment(text: string): boolean {
  const t = text.normalize('NFKC').toLowerCase().replace(/[\s。.!！,，~～…、?？]+/g, ' ').trim();
  if (!t) return true;
  return NO_COMMENT.some((re) => re.test(t));
}
