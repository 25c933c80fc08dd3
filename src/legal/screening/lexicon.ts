/**
 * What a lawyer would want to hear about, by category, in English and
 * Spanish. Terms are matched on accent-free lower case at word starts; a
 * trailing `*` matches any ending ("filtra*": filtrado, filtración, filtraciones).
 */
export type Category = 'spoof' | 'leak' | 'impersonation' | 'allegation' | 'marks';

export const LEXICON: Record<Category, { en: string[]; es: string[] }> = {
  spoof: {
    en: ['spoof*', 'fake press release*', 'fake ad*', 'fake website', 'fake site', 'fake annual report', 'fake report', 'hoax*', 'prank*', 'lampoon*', 'send-up', 'subvertis*', 'adbust*', 'mock ad*', 'mock website', 'mock-up of their', 'fictional press release*', 'fictitious', 'tongue-in-cheek', 'billboard takeover*', 'ad takeover*', 'april fool*', 'remix* of their', 'mocking', 'mock trial', 'mock funeral', 'mock election', 'counterfeit*', 're-cut', 'recut', 're-edit*', 'reedit*', 'fake', 'fakes', 'phony', 'phoney', 'bogus', 'as if from', 'as though from', 'written as if', 'version of the', 'copy of the'],
    es: ['burla*', 'falso comunicado', 'comunicado falso', 'comunicado de prensa falso', 'anuncio falso', 'anuncios falsos', 'web falsa', 'pagina falsa', 'sitio falso', 'informe falso', 'broma*', 'contrapublicidad', 'anuncio trucado', 'anuncios trucados', 'version satirica', 'imitacion burlesca', 'ficticio', 'ficticia', 'inocentada', 'version humoristica', 'falsificad*', 'juicio simulado', 'funeral simulado', 'remontamos', 'remontaje', 'remontado', 'falso', 'falsa', 'falsos', 'falsas', 'como si fuera de', 'como si fuera del', 'como si viniera de', 'redactado como si', 'copia de la portada', 'copia de la web', 'mismo formato que', 'mismo estilo que', 'mismo diseno que', 'identica a', 'identico a', 'version de la web', 'version de la portada'],
  },
  leak: {
    en: ['leaked*', 'leaks', 'wikileaks', 'leak reveals', 'leaks reveal', 'the leak', 'a leak of', 'whistleblow*', 'whistle-blow*', 'internal document*', 'internal memo*', 'internal email*', 'internal e-mail*', 'confidential document*', 'confidential report*', 'confidential memo*', 'confidential file*', 'confidential email*', 'confidential contract*', 'marked confidential', 'classified document*', 'classified file*', 'classified report*', 'secret document*', 'secret report*', 'documents obtained', 'obtained documents', 'insider document*', 'not meant to be public', 'never meant to be public', 'unredacted', 'got hold of', 'passed to us', 'handed to us', 'slipped to us', 'an insider', 'insiders', 'never wanted published', 'never wanted to be published', 'hacked', 'trove of', 'cache of documents', 'document dump', 'shared with us anonymously', 'sent to us anonymously', 'anonymous source*', 'anonymously leaked', 'private meeting', 'closed-door meeting', 'secretly recorded', 'secret recording*', 'hidden camera', 'undercover footage', 'before publication', 'ahead of publication', 'before it was published', 'screenshot*', 'group chat', 'home address*', 'addresses of', 'phone numbers of', 'personal data of', 'where they live', 'doxx*', 'keep quiet', 'kept quiet', 'keep * quiet', 'keep secret', 'kept secret', 'keep hidden', 'hush* up', 'bring* to light', 'brought to light', 'own files', 'own documents', 'own archives', 'own records', 'voicemail*', 'reached us', 'fell into our hands', 'came into our possession', 'unauthorised cop*', 'unauthorized cop*'],
    es: ['filtrad*', 'filtracion*', 'filtramos', 'filtraron', 'documentos internos', 'documento interno', 'correos internos', 'memorando interno', 'informe interno', 'documentos confidenciales', 'documento confidencial', 'informe confidencial', 'correos confidenciales', 'contratos confidenciales', 'marcado como confidencial', 'documentos clasificados', 'informacion clasificada', 'material clasificado', 'documentos secretos', 'informe secreto', 'denunciante*', 'alertador*', 'documentos obtenidos', 'sin censurar', 'nunca debieron ser publicos', 'no estaba destinado a hacerse publico', 'nos paso', 'nos pasaron', 'nos ha pasado', 'nos han pasado', 'nos hizo llegar', 'nos hicieron llegar', 'nos filtro', 'nos filtraron', 'hackead*', 'papeles de', 'publicamos los correos', 'publicamos sus correos', 'correos privados', 'nos enviaron de forma anonima', 'de forma anonima', 'anonimamente', 'fuente anonima', 'fuentes anonimas', 'reunion privada', 'reunion secreta', 'grabado en secreto', 'grabamos en secreto', 'grabacion secreta', 'camara oculta', 'antes de su publicacion', 'antes de que se publique', 'antes de publicarse', 'capturas de', 'capturas del', 'grupo de chat', 'chat privado', 'direcciones de', 'domicilios de', 'donde viven', 'datos personales de', 'telefonos de', 'queria callar', 'querian callar', 'quiso callar', 'quisieron callar', 'intento callar', 'mantener en secreto', 'mantenia en secreto', 'propios archivos', 'propios documentos', 'propios correos', 'sacamos a la luz', 'saca a la luz', 'sacar a la luz', 'mensajes de voz', 'nos llegaron', 'nos ha llegado', 'llegaron a nuestras manos', 'cayeron en nuestras manos', 'copia no autorizada', 'copias no autorizadas', 'reunion a puerta cerrada', 'reuniones a puerta cerrada'],
  },
  impersonation: {
    en: ['impersonat*', 'pose as', 'posing as', 'poses as', 'pretend to be', 'pretending to be', 'pretends to be', 'look like the official', 'looks like the official', 'looks exactly like', 'copy of their website', 'copy of the official', 'clone of', 'cloned', 'mimic*', 'as if we were', 'signed as', 'in their name', 'official-looking', 'imitat*', 'styled as', 'styled like', 'official one', 'claims to be', 'claiming to be', 'presents itself as', 'passing itself off', 'exactly like', 'identical to', 'same format as', 'same layout as', 'same design as', 'like their real', 'for them, presented', 'reads like the', 'reads like their', 'made to look like', 'disguised as', 'in the style of their', 'replica of', 'exact copy', 'imitation of', 'pitch-perfect', 'lookalike', 'look-alike', 'indistinguishable from', 'fake account*', 'fake profile*', 'parody account*', 'in the voice of', 'pass off', 'passes itself off'],
    es: ['suplant*', 'hacernos pasar por', 'hacerse pasar por', 'haciendonos pasar por', 'se hace pasar por', 'nos hacemos pasar por', 'imita la web', 'imitando la web', 'imita la pagina', 'copia de la web', 'copia de su web', 'clon de', 'clonad*', 'como si fueramos', 'firmado como', 'parece la oficial', 'parece la web oficial', 'identica a la oficial', 'aspecto oficial', 'replica', 'replica exacta', 'imitacion de', 'imitando', 'disfrazad*', 'como si fuera', 'como si lo escribiera', 'mismo diseno', 'perfil falso', 'falso perfil', 'cuenta falsa', 'cuentas falsas', 'haciendose pasar', 'finge ser', 'fingiendo ser', 'fingimos ser', 'fingir ser', 'dice ser', 'dicen ser', 'con la estetica de', 'con el aspecto de', 'se presenta como', 'haciendose pasar', 'se * pasar por', 'nos * pasar por', 'me * pasar por'],
  },
  allegation: {
    en: ['corrupt*', 'fraud*', 'brib*', 'kickback*', 'criminals', 'criminal company', 'criminal acts', 'crimes', 'lie', 'lies', 'lied', 'liar*', 'lying', 'scam*', 'poison*', 'cover-up', 'covered up', 'covering up', 'accus*', 'alleg*', 'guilty', 'launder*', 'embezzl*', 'complicit', 'murder*', 'stole', 'stealing', 'theft', 'cheat*', 'deceiv*', 'deceptive', 'rigged', 'illegal*', 'abuser*', 'crook*', 'extort*', 'exploit workers', 'dump* toxic', 'racist', 'war criminal*', 'deceives', 'mislead*', 'greenwash*', 'pocketed', 'profiteer*', 'bribed', 'hides the', 'hid the', 'lies to', 'lied to', 'knew about', 'knew that', 'proof that', 'child labo*', 'thief', 'thieves', 'wage theft', 'bought and paid', 'in the pocket of', 'on the payroll of', 'took money from', 'taking money from', 'oil money', 'backhander*', 'nepotis*', 'cronyism', 'crony', 'cronies', 'favouritism', 'favoritism', 'conflict of interest', 'brother-in-law', 'exploits', 'exploited', 'exploiting', 'to prove it', 'the proof', 'blood on * hands', 'abuse', 'abuses', 'abused', 'dossier', 'wrongdoing', 'misconduct', 'harass*', 'torture*', 'killer*', 'polluter*', 'criminal', 'crime', 'falsif*', 'cooked the books', 'our investigation', 'we reveal', 'exposes', 'exposing', 'expose', 'profit* from', 'polluting', 'name and shame', 'naming and shaming', 'billed taxpayers', 'at taxpayers expense', 'blacklist*', 'worst landlords', 'worst employers'],
    es: ['corrupt*', 'corrupcion', 'fraude*', 'fraudulent*', 'sobor*', 'mordida*', 'criminales', 'delitos', 'delito de', 'delincuent*', 'miente*', 'mienten', 'mintio', 'mentira*', 'mentiros*', 'estafa*', 'envenen*', 'encubr*', 'acus*', 'culpable*', 'blanque*', 'malvers*', 'complice*', 'asesin*', 'roban', 'robaron', 'robado*', 'robo', 'robos', 'engan*', 'amanad*', 'ilegal*', 'abusador*', 'ladron*', 'extorsion*', 'explota a sus', 'vierte* toxic*', 'racista*', 'prevarica*', 'cohecho', 'engana', 'enganan', 'amano', 'amanos', 'chanchullo*', 'enchufad*', 'lavado verde', 'greenwashing', 'saque*', 'expolio', 'pelotazo*', 'se lucra*', 'oculta*', 'ocultaron', 'sabia que', 'sabian que', 'prueba de que', 'pruebas de que', 'trabajo infantil', 'a sueldo de', 'en nomina de', 'comprado por', 'comprada por', 'nepotismo', 'amiguismo', 'favoritismo', 'enchufe', 'a dedo', 'conflicto de intereses', 'cunado', 'cunada', 'explota', 'explotan', 'que lo demuestran', 'que lo prueban', 'lo demuestra', 'manos manchadas', 'manchadas de sangre', 'abusos', 'abuso', 'dossier', 'irregularidades', 'acoso', 'acosa*', 'tortura*', 'contaminador*', 'crimen', 'crimenes', 'false*', 'falsific*', 'maquill* las cuentas', 'nuestra investigacion', 'revelamos', 'destapamos', 'destapa', 'contaminando', 'se benefician de', 'senalamos', 'senalar a', 'lista negra', 'cargo a los contribuyentes', 'a costa de los contribuyentes', 'peores caseros', 'peores empresas'],
  },
  marks: {
    en: ['logo', 'logos', 'trademark*', 'their brand', 'the brand', 'brand name*', 'brand identity', 'branding', 'their font', 'corporate font', 'mascot*', 'slogan*', 'jingle*', 'packaging', 'corporate identity', 'their colours', 'their colors', 'visual identity', 'copyrighted', 'ad', 'ads', 'advert*', 'advertising', 'billboard*', 'commercial', 'remix*'],
    es: ['logo', 'logos', 'logotipo*', 'marca registrada', 'marcas registradas', 'su marca', 'la marca', 'imagen corporativa', 'identidad corporativa', 'identidad visual', 'tipografia corporativa', 'su tipografia', 'mascota de la marca', 'eslogan*', 'su envase', 'sus colores', 'derechos de autor', 'anuncio*', 'publicidad', 'valla* publicitaria*', 'carteles de', 'cartel de'],
  },
};

/**
 * The genres themselves. Parody of someone is a legal risk; satire as a topic
 * ("is satire still possible online?") is not, so these count in full only
 * aimed at something: "parody of the…", "sátira del…", a site or an ad, a name.
 */
export const GENRE = ['parod*', 'satir*', 'ironic*', 'ironi*', 'culture jam*', 'yes men', 'pastiche', 'detournement', 'guerrilla de la comunicacion'];
export const GENRE_AIM = ['of', 'about', 'against', 'on', 'targeting', 'del', 'de la', 'de los', 'de las', 'de un', 'de una', 'de su', 'de sus', 'sobre', 'contra'];
export const GENRE_VEHICLE = ['site', 'website', 'web', 'ad', 'ads', 'advert*', 'press release*', 'comunicado*', 'report*', 'informe*', 'newsletter*', 'boletin*', 'video*', 'anuncio*', 'cartel*', 'poster*', 'billboard*', 'valla*', 'account*', 'cuenta*', 'perfil*', 'page', 'pagina*', 'leaflet*', 'folleto*', 'magazine*', 'revista*', 'periodico*', 'newspaper*', 'news', 'noticias', 'cartoon*', 'vineta*', 'song*', 'cancion*'];

/**
 * Pairs of word lists that signal a category when a word of each stands within
 * two words of the other, in either order ("fake Twitter account", "actas secretas").
 */
export const NEAR: Record<Category, [string[], string[]][]> = {
  spoof: [
    [['fake', 'falso', 'falsa', 'falsos', 'falsas', 'spoof', 'counterfeit', 'bogus', 'mock', 'sham'], ['review', 'annual', 'memoria', 'edition', 'magazine', 'issue', 'version', 'revista', 'edicion', 'version', 'numero', 'press', 'release*', 'statement*', 'announcement*', 'newsletter*', 'ad', 'ads', 'advert*', 'billboard*', 'poster*', 'report*', 'website*', 'site', 'page', 'campaign', 'comunicado*', 'nota', 'anuncio*', 'cartel*', 'web', 'pagina*', 'informe*', 'boletin*', 'vallas', 'folleto*']],
  ],
  leak: [
    [
      ['internal', 'confidential', 'secret', 'classified', 'leaked', 'hacked', 'stolen', 'private', 'privad*', 'interno*', 'interna*', 'confidencial*', 'secreto*', 'secreta*', 'clasificad*', 'filtrad*', 'hackead*', 'robad*'],
      ['document*', 'report*', 'memo*', 'email*', 'e-mail*', 'mails', 'files', 'minutes', 'contract*', 'chat*', 'messages', 'recording*', 'papers', 'communications', 'text', 'agreement', 'draft', 'plans', 'correspondence', 'letters', 'correspondencia', 'cartas', 'documento*', 'informe*', 'correo*', 'actas', 'acta', 'contrato*', 'mensaje*', 'grabacion*', 'papeles', 'comunicaciones', 'memorando*', 'audios', 'texto', 'tratado', 'acuerdo', 'borrador', 'planes'],
    ],
    [
      ['obtained', 'obtain', 'got', 'acquired', 'conseguido', 'conseguimos', 'obtuvimos', 'obtenido'],
      ['deck', 'slide*', 'presentation', 'memo*', 'minutes', 'draft', 'contract*', 'plans', 'presentacion', 'diapositivas', 'actas', 'borrador', 'contrato*', 'planes', 'memorando*'],
    ],
    [
      ['recorded', 'recording*', 'tape*', 'transcri*', 'footage', 'audio', 'video', 'minutes', 'grabamos', 'grabacion*', 'grabado*', 'transcripcion*', 'actas'],
      ['private', 'secret*', 'closed-door', 'closed', 'privad*', 'secret*', 'cerrada'],
    ],
  ],
  impersonation: [
    [['fake', 'falso', 'falsa', 'false'], ['account*', 'profile*', 'perfil*', 'cuenta*', 'twitter', 'instagram', 'tiktok', 'facebook']],
    [
      ['dressed', 'disguised', 'costumed', 'uniform*', 'vestid*', 'disfrazad*', 'uniformad*'],
      ['staff', 'employees', 'officials', 'police', 'officers', 'reps', 'representatives', 'agents', 'empleados', 'empleadas', 'agentes', 'policias', 'funcionari*', 'representantes', 'comerciales', 'personal'],
    ],
    [
      ['copied', 'copying', 'copiamos', 'copiado', 'apes', 'aping', 'imita', 'imitamos', 'imitando', 'mimics', 'cloned', 'clonamos', 'borrowed', 'tomamos'],
      ['design', 'look', 'style', 'layout', 'branding', 'diseno', 'estilo', 'aspecto', 'maqueta*', 'app', 'website', 'web', 'newsletter', 'boletin', 'uniforms', 'uniformes'],
    ],
    [
      ['appears', 'appear', 'seems', 'seem', 'supposedly', 'purportedly', 'parece', 'parecen', 'aparenta*', 'supuestamente'],
      ['come', 'comes', 'sent', 'written', 'signed', 'issued', 'enviad*', 'venir', 'viene', 'firmad*', 'escrit*', 'emitid*'],
    ],
  ],
  allegation: [
    [['diverted', 'diverting', 'divert', 'siphon*', 'pocket*', 'desvio', 'desviaron', 'desviar', 'desvia', 'embols*', 'se quedo con', 'se quedaron con'], ['donation*', 'funds', 'money', 'grants', 'donacion*', 'fondos', 'dinero', 'subvencion*', 'ayudas']],
  ],
  marks: [
    [
      ['borrow*', 'uses', 'use', 'usa', 'usamos', 'tomamos', 'toma', 'steal*', 'robamos', 'hijack*', 'secuestramos'],
      ['logo*', 'logotipo*', 'mascot*', 'mascota', 'slogan*', 'eslogan*', 'colours', 'colors', 'colores', 'typeface', 'font', 'tipografia', 'jingle', 'character', 'personaje'],
    ],
  ],
};

/** Titles that make the next words a named person. */
export const TITLES = ['mayor', 'senator', 'minister', 'ceo', 'chairman', 'chairwoman', 'president', 'governor', 'councillor', 'councilor', 'judge', 'director', 'congressman', 'congresswoman', 'mp', 'alcalde', 'alcaldesa', 'ministro', 'ministra', 'senador', 'senadora', 'diputado', 'diputada', 'concejal', 'concejala', 'presidente', 'presidenta', 'gobernador', 'gobernadora', 'juez', 'jueza', 'directora', 'consejero', 'consejera', 'empresario', 'empresaria'];

/** People identifiable by their place even in the plural: "the executives", "los directivos". */
export const GROUP_TITLES = ['executives', 'directors', 'bosses', 'owners', 'board', 'directivos', 'directivas', 'jefes', 'duenos', 'consejeros', 'ejecutivos'];

/** Frequent Spanish words that English lacks, to pick the language of the reasons. */
export const SPANISH_MARKERS = ['el', 'la', 'los', 'las', 'de', 'del', 'que', 'y', 'en', 'una', 'por', 'para', 'con', 'nuestra', 'nuestro', 'sus', 'es', 'se', 'al', 'como', 'campana', 'vecinos', 'barrio'];
export const ENGLISH_MARKERS = ['the', 'of', 'and', 'to', 'in', 'our', 'for', 'with', 'is', 'on', 'we', 'a', 'an', 'their', 'this', 'campaign', 'neighbours', 'local'];
