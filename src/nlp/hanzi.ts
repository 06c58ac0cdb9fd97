// the Traditional -> Simplified build only (~0.1 MB of tables instead of 1.2 MB)
import * as OpenCC from 'opencc-js/t2cn';
// Common Simplified ↔ Traditional character pairs (position i of SIMP matches position i of TRAD).
// Enough to tell the two scripts apart and to fold Traditional text onto the Simplified
// dictionary for segmentation and matching; not a full converter.
const SIMP =
  '们这个来时为说国过对会还发问间现实后进动种没经关点长样话买卖务费钱银账户订单号码让认识请谢难题满级亲应该设备资讯态员专业决优惠价钟营业联络电邮网页帐额处理换货运输递达签收开启办报给办无语头员复杂欢迎于与车东两严丢乐书买乱亏产亿仅从仓们价众优伤体余佣储债倾偿储兑关兴养兽内写军农冲决况冻净减凭凯击划则刚创删别剑剧劝办务动励劳势区华单卖卫却厅厉压厌参双发变叙台号吓吗吨听启员呜咏响哑唤啸团园围图圆圣场坏块坚坛坝坟坠垄垒垦垫处备复够头夹夺奋奖妆妇妈姗娇娱婴实审宪宫宽宾对寻导寿将尔尘尝层属岁岂岗岛岭岳币帅师帐带帮广库应庙废开异弃张弥强归录彻征径忆忧怀态总恋恳恶恼悦悬惊惧惨惩惯愤愿懒战户执扩扫扬扰抚抛抢护报担拟拥拦拨择挂挡挣挥损换据掷揽搁携摄摆摇摊撑撵擞敌数斋斗断无旧时旷昙昼显晋晒晓晕暂术机杀杂权条来杨杰极构枪枫柜树栏标栈栋样档桥梦检楼横欢欧残毁毕毙气汇汉污汤沟没泪泻泼泽洁浅测济浏浑浓涂润涨渊渐渔温湾湿溃滚满滤滥滨潇灭灯灵灾灿炉点炼烂烦烧热焕爱爷牍牵犹状独狭狮猎献环现玛琐电画畅疗疯痒瘫癫发皑盏盐监盖盘眯着矿码砖础硕确碍礼祸离种积称稳穷窃窍竞笔笋筑简篮类粮紧纠红约级纪纯纲纳纵纷纸纹线练组细织终绍经绑结绕绘给络绝统绢继绩绪续维绵综绿缀缓编缘缩缴网罗罚罢羡习耸职联聪肃肠肤肿胀胁胜脉脏脑脚脸腊舆舍舰艰节芜苏苹范茎荐荡荣药莱获萝营萧萨蓝虑虚虫虽蚀蛮衅补衬袜装裤见观规视览觉触誉计订认讨让训议讯记讲讳许论设访证评识诉诊词译试诗诚话诞询该详语误诱说请诸诺读课谁调谅谈谊谋谓谜谢谣谨谱谷贝负贞贡财责贤败货质贩贪贫购贯贱贴贵费贺贼资赊赋赌赎赏赔赖赚赛赞赠赶趋跃践踪躯车轨转轮软轰轻载较辅辆辈辉输辞辩边辽达迁过迈运还这进远违连迟选逊递逻遗邮邻郑酱释里鉴针钓钟钢钥钩钱钻铁铃铜铭银铺链销锁锅锋错锦键锻镇镜长门闪闭问闯闲间闷闸闹闻阅阔队阳阴阵阶际陆陈陕险随隐难雾静须顶项顺须预顽顾顿颁领频颗题颜额风飘飞饥饭饮饰饱饼馆首驱驶驾验骗骚鱼鲜鸡鸣鸭麦黄齐齿龙';
const TRAD =
  '們這個來時為說國過對會還發問間現實後進動種沒經關點長樣話買賣務費錢銀賬戶訂單號碼讓認識請謝難題滿級親應該設備資訊態員專業決優惠價鐘營業聯絡電郵網頁帳額處理換貨運輸遞達簽收開啟辦報給辦無語頭員複雜歡迎於與車東兩嚴丟樂書買亂虧產億僅從倉們價眾優傷體餘傭儲債傾償儲兌關興養獸內寫軍農沖決況凍淨減憑凱擊劃則剛創刪別劍劇勸辦務動勵勞勢區華單賣衛卻廳厲壓厭參雙發變敘臺號嚇嗎噸聽啟員嗚詠響啞喚嘯團園圍圖圓聖場壞塊堅壇壩墳墜壟壘墾墊處備復夠頭夾奪奮獎妝婦媽姍嬌娛嬰實審憲宮寬賓對尋導壽將爾塵嘗層屬歲豈崗島嶺嶽幣帥師帳帶幫廣庫應廟廢開異棄張彌強歸錄徹徵徑憶憂懷態總戀懇惡惱悅懸驚懼慘懲慣憤願懶戰戶執擴掃揚擾撫拋搶護報擔擬擁攔撥擇掛擋掙揮損換據擲攬擱攜攝擺搖攤撐攆擻敵數齋鬥斷無舊時曠曇晝顯晉曬曉暈暫術機殺雜權條來楊傑極構槍楓櫃樹欄標棧棟樣檔橋夢檢樓橫歡歐殘毀畢斃氣匯漢汙湯溝沒淚瀉潑澤潔淺測濟瀏渾濃塗潤漲淵漸漁溫灣濕潰滾滿濾濫濱瀟滅燈靈災燦爐點煉爛煩燒熱煥愛爺牘牽猶狀獨狹獅獵獻環現瑪瑣電畫暢療瘋癢癱癲發皚盞鹽監蓋盤瞇著礦碼磚礎碩確礙禮禍離種積稱穩窮竊竅競筆筍築簡籃類糧緊糾紅約級紀純綱納縱紛紙紋線練組細織終紹經綁結繞繪給絡絕統絹繼績緒續維綿綜綠綴緩編緣縮繳網羅罰罷羨習聳職聯聰肅腸膚腫脹脅勝脈髒腦腳臉臘輿捨艦艱節蕪蘇蘋範莖薦蕩榮藥萊獲蘿營蕭薩藍慮虛蟲雖蝕蠻釁補襯襪裝褲見觀規視覽覺觸譽計訂認討讓訓議訊記講諱許論設訪證評識訴診詞譯試詩誠話誕詢該詳語誤誘說請諸諾讀課誰調諒談誼謀謂謎謝謠謹譜穀貝負貞貢財責賢敗貨質販貪貧購貫賤貼貴費賀賊資賒賦賭贖賞賠賴賺賽贊贈趕趨躍踐蹤軀車軌轉輪軟轟輕載較輔輛輩輝輸辭辯邊遼達遷過邁運還這進遠違連遲選遜遞邏遺郵鄰鄭醬釋裡鑒針釣鐘鋼鑰鉤錢鑽鐵鈴銅銘銀鋪鏈銷鎖鍋鋒錯錦鍵鍛鎮鏡長門閃閉問闖閒間悶閘鬧聞閱闊隊陽陰陣階際陸陳陝險隨隱難霧靜須頂項順鬚預頑顧頓頒領頻顆題顏額風飄飛飢飯飲飾飽餅館首驅駛駕驗騙騷魚鮮雞鳴鴨麥黃齊齒龍';

// Simplified forms that are also ordinary Traditional characters (台灣, 皇后, 於/于 ...) prove nothing.
const SHARED = new Set('台里于余谷范舍征冲复后松干只发制面志准注并几周泄退门');
// 著 is also a Simplified character (著名), so it is never folded.
const NO_FOLD = new Set('著');

// Pairs found missing by checking the knowledge base's zh-TW phrasings.
const SIMP_EXTRA = '么注册并传协宝准槛适几周咨当税泄盗鉴制问题码帐设验时钟证书请单态务绝损坏换货还钱退运费热线网点门店联系导产质优售后续约奖积兑礼';
const TRAD_EXTRA = '麼註冊並傳協寶準檻適幾週諮當稅洩盜鑑製問題碼帳設驗時鐘證書請單態務絕損壞換貨還錢退運費熱線網點門店聯繫導產質優售後續約獎積兌禮';

const t2s = new Map<string, string>();
const simpOnly = new Set<string>();
const tradOnly = new Set<string>();
const simpAll = SIMP + SIMP_EXTRA;
const tradAll = TRAD + TRAD_EXTRA;
for (let i = 0; i < Math.min(simpAll.length, tradAll.length); i++) {
  const s = simpAll[i];
  const t = tradAll[i];
  if (s === t || NO_FOLD.has(t)) continue;
  t2s.set(t, s);
  if (!SHARED.has(s)) simpOnly.add(s);
  tradOnly.add(t);
}

// opencc-js converts Taiwan phrasing too (軟體 -> 软件, 滑鼠 -> 鼠标); its tables load once, lazily.
let twToCn: ((s: string) => string) | undefined;
// variants opencc leaves apart that customers use interchangeably
const FOLD_AFTER: Record<string, string> = { 帐: '账' };
const HAN = /\p{Script=Han}/u;

/** Fold Traditional characters and Taiwan phrasing onto Simplified Chinese. */
export function toSimplified(text: string): string {
  if (!HAN.test(text)) return text;
  twToCn ??= OpenCC.Converter({ from: 'twp', to: 'cn' });
  let out = '';
  for (const ch of twToCn(text)) out += FOLD_AFTER[ch] ?? t2s.get(ch) ?? ch;
  return out;
}

/** Count characters that exist only in one of the two scripts. */
export function scriptEvidence(text: string): { simplified: number; traditional: number } {
  let simplified = 0;
  let traditional = 0;
  for (const ch of text) {
    if (tradOnly.has(ch)) traditional++;
    else if (simpOnly.has(ch)) simplified++;
  }
  return { simplified, traditional };
}
