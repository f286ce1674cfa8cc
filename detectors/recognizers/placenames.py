"""Words that make a short value something other than a person's name, and well-known
places that are also first names or surnames (Houston, Georgia, Paris, Victoria).

Used by :mod:`detectors.recognizers.person`: a word from ``NOT_PERSON_WORDS`` anywhere
rules a value out; a value that is wholly one of ``PLACES`` is a place, while
"Charlotte Smith" stays a person.
"""

from __future__ import annotations


def words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _phrases(text: str) -> frozenset[str]:
    return frozenset(p.strip() for p in text.split(",") if p.strip())


# Organisations, streets, products, jobs, statuses, plans, categories, units.
NOT_PERSON_WORDS = words(
    """
    inc incorporated llc llp ltd limited corp corporation co company companies group holdings gmbh ag sa sas
    srl spa bv nv plc pty kg ohg ab oy as asa kk pte partners associates international intl global worldwide
    enterprises industries solutions systems services technologies technology tech labs lab software
    consulting capital bank bancorp financial finance insurance trust fund investments ventures media
    network networks communications telecom energy foods restaurant restaurants cafe bar grill pizza
    hotel hotels motel resort airlines airways motors automotive pharmacy pharma clinic hospital medical
    health healthcare dental university college school academy institute foundation society association
    club church ministry council department agency office store stores shop shops market supermarket
    mart outlet boutique studio studios gallery museum theatre theater cinema center centre products
    brands logistics transport shipping express freight realty properties construction builders
    manufacturing electric electronics apparel fashion beauty salon spa fitness gym sports
    street st avenue ave road rd ln boulevard blvd drive way court ct place square terrace highway
    parkway plaza suite apt floor building tower strasse straße rue calle via
    manager engineer director president officer assistant analyst developer designer consultant
    specialist coordinator administrator supervisor technician representative executive associate
    accountant architect nurse teacher professor clerk cashier driver operator agent advisor adviser
    scientist programmer lead senior junior intern trainee head chief vp ceo cfo cto coo owner founder
    sales marketing support operations finance hr legal engineering research development product
    active inactive pending approved rejected cancelled canceled completed complete failed open closed
    new used draft published archived deleted enabled disabled true false yes no none null unknown
    other misc default standard premium basic pro plus gold silver bronze platinum free trial enterprise
    monthly annual yearly weekly daily small medium large xl xxl edition version model series pack
    total subtotal amount balance price cost fee tax discount refund payment invoice order orders
    electronics clothing books toys garden kitchen home furniture grocery beverages snacks dairy
    red blue yellow orange purple
    north south east west northern southern eastern western central upper lower
    january february march april june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday
    county city state province region district republic kingdom island islands
    stadium arena ground bowl army party league cup united union federation committee commission
    parliament government police navy forces airport station
    the and of for with at by
    """
)

# US states, countries and large cities that collide with names, as whole values.
PLACES = _phrases(
    """
    alabama, alaska, arizona, arkansas, california, colorado, connecticut, delaware, florida, georgia,
    hawaii, idaho, illinois, indiana, iowa, kansas, kentucky, louisiana, maine, maryland, massachusetts,
    michigan, minnesota, mississippi, missouri, montana, nebraska, nevada, new hampshire, new jersey,
    new mexico, new york, north carolina, north dakota, ohio, oklahoma, oregon, pennsylvania,
    rhode island, south carolina, south dakota, tennessee, texas, utah, vermont, virginia, washington,
    west virginia, wisconsin, wyoming, district of columbia, puerto rico, guam,
    ontario, quebec, alberta, manitoba, saskatchewan, nova scotia, british columbia, victoria, queensland,
    tasmania, bavaria, bayern, hessen, sachsen, brandenburg, normandy, brittany, provence, andalusia,
    catalonia, galicia, lombardy, tuscany, sicily, scotland, england, wales, ireland, cornwall, devon, kent,
    essex, surrey, sussex, yorkshire, lancashire,
    america, united states, canada, mexico, brazil, argentina, chile, peru, colombia, venezuela, cuba,
    jamaica, haiti, france, germany, spain, portugal, italy, greece, austria, switzerland, belgium,
    netherlands, holland, denmark, norway, sweden, finland, iceland, poland, russia, ukraine, turkey,
    israel, jordan, egypt, morocco, kenya, nigeria, ghana, ethiopia, south africa, india, pakistan,
    china, japan, korea, vietnam, thailand, malaysia, singapore, indonesia, philippines, australia,
    new zealand, chad, niger, mali, georgia, armenia, lebanon, syria, iran, iraq, israel, qatar, oman,
    new york city, los angeles, chicago, houston, phoenix, philadelphia, san antonio, san diego, dallas,
    san jose, austin, jacksonville, fort worth, columbus, charlotte, san francisco, indianapolis, seattle,
    denver, boston, el paso, nashville, detroit, oklahoma city, portland, las vegas, memphis, louisville,
    baltimore, milwaukee, albuquerque, tucson, fresno, sacramento, mesa, kansas city, atlanta, omaha,
    colorado springs, raleigh, miami, long beach, virginia beach, oakland, minneapolis, tulsa, tampa,
    arlington, new orleans, wichita, cleveland, bakersfield, aurora, anaheim, honolulu, santa ana,
    riverside, corpus christi, lexington, stockton,  saint paul, st paul, st louis,
    saint louis, cincinnati, pittsburgh, greensboro, anchorage, plano,  orlando, irvine, newark,
    toledo, durham, chula vista, fort wayne, jersey city, st petersburg, laredo, madison,
    buffalo, lubbock, scottsdale, reno, glendale,  winston salem, norfolk, chesapeake, garland,
     hialeah, fremont, boise, richmond, baton rouge, spokane, des moines, tacoma, san bernardino,
    modesto, fontana, santa clarita, birmingham, oxnard, fayetteville, moreno valley, rochester,
    glendale, huntington beach, salt lake city, grand rapids, amarillo, yonkers, montgomery, akron,
    little rock, augusta, columbus, shreveport, mobile, savannah, charleston, springfield, jackson,
       salem, dayton, trenton, camden, albany, florence, alexandria,
            burlington, lafayette, odessa, sydney,
    melbourne, perth, adelaide, brisbane, toronto, montreal, vancouver, calgary, ottawa, edmonton,
    winnipeg, halifax, london, paris, berlin, madrid, rome, milan, vienna, zurich, geneva, amsterdam,
    brussels, lisbon, dublin, edinburgh, glasgow, manchester, liverpool, leeds, bristol, oxford,
    cambridge, munich, hamburg, cologne, frankfurt, stuttgart, lyon, marseille, nice, barcelona,
    valencia, seville, florence, venice, naples, prague, warsaw, budapest, athens, istanbul, moscow,
    tokyo, osaka, beijing, shanghai, hong kong, delhi, mumbai, bangalore, chennai, dubai, cairo,
    lagos, nairobi, johannesburg, cape town, santiago, lima, bogota, buenos aires, sao paulo,
    rio de janeiro, mexico city, havana, kingston, auckland, wellington, darwin, regina, victoria
    """
)
